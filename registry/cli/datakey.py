"""``ketenregister data-key``: the households' data key (the key-encryption key of
``registry.privacy.keys``) for a deployment, and the start-up check that a server has one."""

from __future__ import annotations

from pathlib import Path

import click

from registry.config import Settings
from registry.privacy import keys

#: What an operator is told when the key is missing: how to make one and where it goes.
_MISSING = (
    "no data key: set KETENREGISTER_DATA_KEY_FILE to a key file "
    "(`ketenregister data-key keygen --out FILE`) or KETENREGISTER_DATA_KEY "
    "(`openssl rand -base64 32`); see docs/deployment.md, 'Data key custody'"
)


@click.group("data-key")
def data_key_group() -> None:
    """The households' data key, which seals their personal data (docs/deployment.md)."""


@data_key_group.command("keygen")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def data_key_keygen(out: Path) -> None:
    """Create a new data key file (mode 0600); refuses to overwrite one."""
    # Overwriting the key would make every household's sealed data unreadable for good.
    try:
        keys.write_file(keys.KeyEncryptionKey.generate(), out)
    except FileExistsError:
        raise click.ClickException(f"{out} exists; a registry keeps its data key") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    click.echo(
        f"data key written to {out} (set KETENREGISTER_DATA_KEY_FILE); "
        "back it up apart from the database backups"
    )


def require_data_key(settings: Settings) -> keys.KeyEncryptionKey:
    """The deployment's data key, installed for this process; one line and exit 1 when it is
    missing or malformed. Checked at start: otherwise the first personal read or write would
    fail as a masked internal error, long after the operator looked."""
    try:
        if settings.data_key is not None:
            kek = keys.KeyEncryptionKey.from_text(settings.data_key.get_secret_value())
        elif settings.data_key_file is not None:
            kek = keys.read_file(Path(settings.data_key_file))
        else:
            raise click.ClickException(_MISSING)
    except keys.DataKeyError as exc:
        variable = "KETENREGISTER_DATA_KEY" if settings.data_key else "KETENREGISTER_DATA_KEY_FILE"
        raise click.ClickException(f"invalid setting: {variable}: {exc}") from None
    keys.install(kek)
    return kek
