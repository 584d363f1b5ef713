"""The settings in one typed place: the environment's variables keep their names, a bad value
stops a server at start with one line naming it, docs/settings.md is what the code says, and a
limit set in the environment is the limit the running registry enforces."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from registry import settings_doc
from registry.app import create_app
from registry.config import Settings, SettingsError
from tests.conftest import AppClient, Clock

ROOT = Path(__file__).parent.parent.parent
CLI = Path(sys.executable).parent / "ketenregister"


def _clean_environment(**variables: str) -> dict[str, str]:
    """This process's environment without any KETENREGISTER_ setting, plus ``variables``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("KETENREGISTER_")}
    kept.pop("DATABASE_URL", None)
    return {**kept, **variables}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Settings read from an environment holding only the given variables."""

    def read(**variables: str) -> Settings:
        for name in list(os.environ):
            if name.startswith("KETENREGISTER_") or name == "DATABASE_URL":
                monkeypatch.delenv(name)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return Settings.from_env()

    return read


def test_the_defaults_are_production_s(environment: Callable[..., Settings]) -> None:
    settings = environment()
    assert settings.database_url == "sqlite:///var/ketenregister.sqlite3"
    assert not settings.introspection
    assert not settings.graphiql
    assert not settings.webhook_allow_private
    assert settings.console_secure_cookie
    assert (settings.max_body_bytes, settings.max_query_depth, settings.max_cost) == (
        64 * 1024,
        10,
        3000,
    )
    assert settings.max_token_lifetime_seconds == 300
    assert settings.rate_limit == "50/second;1500/minute"


def test_an_empty_variable_is_unset_but_an_empty_rate_limit_is_none(
    environment: Callable[..., Settings],
) -> None:
    settings = environment(
        KETENREGISTER_MAX_COST="", KETENREGISTER_LOG_KEY_FILE="", KETENREGISTER_RATE_LIMIT=""
    )
    assert (settings.max_cost, settings.log_key_file) == (3000, None)  # the defaults
    assert settings.rate_limit == ""  # no rate limit: what the deployment guide says empty is


def test_the_variables_keep_their_names(environment: Callable[..., Settings]) -> None:
    settings = environment(
        KETENREGISTER_DATABASE_URL="sqlite:///elsewhere.sqlite3",
        KETENREGISTER_INTROSPECTION="yes",
        KETENREGISTER_CONSOLE_SECURE_COOKIE="0",
        KETENREGISTER_MAX_CONCURRENT_REQUESTS="3",
        KETENREGISTER_QUEUE_TIMEOUT_SECONDS="0.5",
        KETENREGISTER_RATE_LIMIT="10/second",
        KETENREGISTER_LOG_FORMAT="Console",
        KETENREGISTER_LOG_KEY_FILE="/keys/log.key",
        KETENREGISTER_WITNESSES="https://w1.test k1,\nhttps://w2.test k2",
        KETENREGISTER_RETENTION_EVICTED_YEARS="7",
    )
    assert settings.database_url == "sqlite:///elsewhere.sqlite3"
    assert settings.introspection
    assert not settings.console_secure_cookie
    assert settings.max_concurrent_requests == 3
    assert settings.queue_timeout_seconds == 0.5
    assert settings.rate_limit == "10/second"
    assert settings.log_format == "console"
    assert settings.log_key_file == "/keys/log.key"
    assert settings.witnesses == (("https://w1.test", "k1"), ("https://w2.test", "k2"))
    assert settings.retention_evicted_years == 7


def test_database_url_is_honoured_and_the_prefixed_name_wins(
    environment: Callable[..., Settings],
) -> None:
    assert environment(DATABASE_URL="postgresql://h/db").database_url == "postgresql://h/db"
    both = environment(DATABASE_URL="postgresql://h/db", KETENREGISTER_DATABASE_URL="sqlite://")
    assert both.database_url == "sqlite://"


def test_limits_that_were_fixed_are_settings_now(environment: Callable[..., Settings]) -> None:
    settings = environment(
        KETENREGISTER_MAX_BODY_BYTES="1024",
        KETENREGISTER_MAX_QUERY_DEPTH="4",
        KETENREGISTER_MAX_ALIASES="5",
        KETENREGISTER_MAX_TOKENS="100",
        KETENREGISTER_MAX_TOKEN_LIFETIME_SECONDS="120",
        KETENREGISTER_CLOCK_SKEW_SECONDS="10",
        KETENREGISTER_POOL_TIMEOUT_SECONDS="2.5",
        KETENREGISTER_WEBHOOK_CONNECT_TIMEOUT_SECONDS="1",
        KETENREGISTER_WEBHOOK_TIMEOUT_SECONDS="5",
    )
    assert (settings.max_body_bytes, settings.max_query_depth, settings.max_aliases) == (1024, 4, 5)
    assert (settings.max_tokens, settings.max_token_lifetime_seconds) == (100, 120)
    assert settings.clock_skew_seconds == 10
    assert settings.pool_timeout_seconds == 2.5
    assert (settings.webhook_connect_timeout_seconds, settings.webhook_timeout_seconds) == (1, 5)


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("KETENREGISTER_MAX_COST", "lots", "valid integer.*got 'lots'"),
        ("KETENREGISTER_MAX_COST", "0", "greater than 0"),
        ("KETENREGISTER_INTROSPECTION", "maybe", "valid boolean"),
        ("KETENREGISTER_QUEUE_TIMEOUT_SECONDS", "-1", "greater than 0"),
        ("KETENREGISTER_LOG_FORMAT", "xml", "'json' or 'console'"),
        ("KETENREGISTER_RATE_LIMIT", "fast", "not like '50/second;1500/minute'"),
        ("KETENREGISTER_WITNESSES", "https://w1.test", "is not '<URL> <key>'"),
    ],
)
def test_an_invalid_value_is_refused_naming_its_variable(
    environment: Callable[..., Settings], variable: str, value: str, problem: str
) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}: .*{problem}"):
        environment(**{variable: value})


def test_a_changed_copy_is_validated_too(environment: Callable[..., Settings]) -> None:
    settings = environment()
    assert settings.replace(max_cost=5).max_cost == 5
    assert settings.max_cost == 3000
    with pytest.raises(SettingsError, match=r"KETENREGISTER_MAX_QUERY_DEPTH: .*greater than 0"):
        settings.replace(max_query_depth=0)


def _serve(*arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *arguments],
        env=_clean_environment(**variables),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "KETENREGISTER_MAX_CONCURRENT_REQUESTS",
            "eight",
            "Error: invalid setting: KETENREGISTER_MAX_CONCURRENT_REQUESTS: Input should be a "
            "valid integer, unable to parse string as an integer (got 'eight')",
        ),
        (
            "KETENREGISTER_RETENTION_PREVENTED_YEARS",
            "0",
            "Error: invalid setting: KETENREGISTER_RETENTION_PREVENTED_YEARS: retention "
            "prevented_years is 0; the legal minimum is 1",
        ),
    ],
)
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_server_refuses_to_start_with_one_line(
    tmp_path: Path, command: str, variable: str, value: str, line: str
) -> None:
    refused = _serve(
        command,
        **{
            variable: value,
            "KETENREGISTER_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.sqlite3'}",
            "KETENREGISTER_DATA_KEY": "A" * 43 + "=",
        },
    )
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [line]
    assert refused.stdout == ""
    assert not (tmp_path / "registry.sqlite3").exists(), "refused before it touched the database"


def test_a_limit_from_the_environment_is_enforced(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    token_for: Callable[..., str],
) -> None:
    monkeypatch.setenv("KETENREGISTER_MAX_QUERY_DEPTH", "2")
    monkeypatch.setenv("KETENREGISTER_MAX_BODY_BYTES", "2000")
    configured = Settings.from_env().replace(
        database_url=settings.database_url,
        audience=settings.audience,
        log_key_file=settings.log_key_file,
        log_origin=settings.log_origin,
        rate_limit="",
    )
    client = AppClient(create_app(configured, clock=clock, session_factory=sessions))

    def post(query: str) -> httpx.Response:
        # A fresh token each time: a token is used once.
        auth = {"Authorization": f"Bearer {token_for('zowonen')}"}
        return client.post("/graphql", json={"query": query}, headers=auth)

    assert "errors" not in post("{ cases { nodes { id } } }").json()
    deep = post("{ cases { nodes { involvements { partner } } } }").json()
    assert "exceeds maximum operation depth" in deep["errors"][0]["message"]
    large = post("{ cases { nodes { id } } }" + " " * 3000)
    assert large.status_code == 413


def test_every_setting_has_a_unit_and_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert isinstance(field.json_schema_extra, dict), name
        assert field.json_schema_extra.get("unit"), name


def test_the_settings_reference_is_up_to_date() -> None:
    written = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert written == settings_doc.render(), (
        "docs/settings.md is stale: python -m registry.settings_doc > docs/settings.md"
    )
    for name in Settings.model_fields:
        assert f"`KETENREGISTER_{name.upper()}`" in written
