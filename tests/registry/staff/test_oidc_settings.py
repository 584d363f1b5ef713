"""The identity-provider file of console single sign-on: read as configured, a bad entry
named, and the client secret taken from a file or the environment, never from the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.staff.oidc import load_providers

ENTRY = """
[[provider]]
name = "zaanstad"
partner = "gemeente-zaanstad"
issuer = "https://login.zaanstad.nl/"
client_id = "ketenregister"
"""


def test_no_file_means_password_login_only() -> None:
    assert load_providers(None) == {}


def test_a_provider_with_its_secret_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("s3cret\n")
    path = tmp_path / "oidc.toml"
    path.write_text(
        ENTRY + f'client_secret_file = "{tmp_path / "secret"}"\nemail_domains = ["Zaanstad.nl"]\n'
    )
    provider = load_providers(str(path))["zaanstad"]
    assert provider.issuer == "https://login.zaanstad.nl", "a trailing slash is not part of it"
    assert provider.client_secret == "s3cret"  # noqa: S105  # made up
    assert "s3cret" not in repr(provider)
    assert provider.email_domains == ("zaanstad.nl",) and provider.label == "zaanstad"


def test_a_secret_from_the_environment_must_be_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "oidc.toml"
    path.write_text(ENTRY + 'client_secret_env = "ZAANSTAD_OIDC"\n')
    monkeypatch.delenv("ZAANSTAD_OIDC", raising=False)
    with pytest.raises(ValueError, match=r"\$ZAANSTAD_OIDC is not set"):
        load_providers(str(path))
    monkeypatch.setenv("ZAANSTAD_OIDC", "from-env")
    assert load_providers(str(path))["zaanstad"].client_secret == "from-env"  # noqa: S105


def test_a_bad_entry_is_named(tmp_path: Path) -> None:
    path = tmp_path / "oidc.toml"
    path.write_text('[[provider]]\nname = "x"\npartner = "p"\n')
    with pytest.raises(ValueError, match="provider 'x': missing issuer, client_id"):
        load_providers(str(path))
    path.write_text(ENTRY)
    with pytest.raises(ValueError, match="give client_secret_file or client_secret_env"):
        load_providers(str(path))
    path.write_text(ENTRY + 'client_secret = "inline"\n' + ENTRY)
    with pytest.raises(ValueError, match="give client_secret_file or client_secret_env"):
        load_providers(str(path))
