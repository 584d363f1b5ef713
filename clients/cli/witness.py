"""``witness keygen`` and ``witness serve``: run a witness that cosigns the registry's
checkpoints (C2SP tlog-witness), as a partner or a third party does."""

from __future__ import annotations

from pathlib import Path

import click

from clients.cli.context import one_line
from clients.cosignature import WitnessSigner
from clients.errors import VerificationError


@click.group()
def witness() -> None:
    """Run a witness that cosigns the registry's checkpoints (C2SP tlog-witness)."""


@witness.command("keygen")
@click.option("--name", required=True, help="The witness's name, e.g. groningen.nl/witness.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Secret key file to write (mode 0600; never overwritten).",
)
def witness_keygen(name: str, out: Path) -> None:
    """Generate a witness key; print the verifier key the registry and partners configure."""
    try:
        signer = WitnessSigner.generate(name)
        signer.write(out)
    except FileExistsError:
        raise click.ClickException(f"{out} exists; a witness keeps its key") from None
    except (VerificationError, OSError) as exc:
        raise click.ClickException(one_line(str(exc))) from None
    click.echo(f"Wrote {out} (mode 0600). The witness's verifier key:", err=True)
    click.echo(signer.key.vkey)


@witness.command("serve")
@click.option(
    "--secret-key",
    "secret_key",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The witness's secret key file (witness keygen).",
)
@click.option(
    "--state-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the last cosigned checkpoint of each log is kept (JSON).",
)
@click.option(
    "--log-key",
    "log_keys",
    required=True,
    multiple=True,
    envvar="KETENREGISTER_LOG_KEY",
    metavar="VKEY",
    help="The verifier key of a log to witness (its name is the log's origin); repeatable.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7380, show_default=True, type=click.IntRange(0, 65535))
def witness_serve(
    secret_key: Path, state_file: Path, log_keys: tuple[str, ...], host: str, port: int
) -> None:
    """Serve POST /add-checkpoint: cosign each checkpoint that extends the last one."""
    import logging

    # The server's libraries come with the SDK's ``witness`` extra (the server package has
    # them anyway): a partner that only reads and checks the log needs neither.
    try:
        import uvicorn

        from clients import witness as witness_server
    except ImportError:
        raise click.ClickException(
            "serving a witness needs the SDK's 'witness' extra: "
            "pip install 'ketenregister-client[witness]'"
        ) from None

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        with witness_server.exclusive(state_file):
            server = witness_server.Witness(
                WitnessSigner.from_file(secret_key), log_keys, state_file
            )
            click.echo(
                f"witness {server.signer.key.vkey} cosigning {', '.join(server.origins)} "
                f"on http://{host}:{port}/add-checkpoint",
                err=True,
            )
            uvicorn.run(witness_server.create_app(server), host=host, port=port, log_level="info")
    except VerificationError as exc:
        raise click.ClickException(one_line(str(exc))) from None
