"""Settings of one registry deployment, read from the environment: one typed place.

Every setting is a ``KETENREGISTER_<NAME>`` environment variable (``DATABASE_URL`` is honoured
too), with its default, unit and a one-line description on its field; ``docs/settings.md`` is
generated from them (``python -m registry.settings_doc``). A value that does not parse or is out
of range stops the process at start with one line naming the variable (``SettingsError``),
instead of failing on the first request that needs it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import limits
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "KETENREGISTER_"
DEFAULT_DATABASE_URL = "sqlite:///var/ketenregister.sqlite3"
DEFAULT_LOG_ORIGIN = "ketenregister.local/log"


class SettingsError(ValueError):
    """The environment holds a setting the registry cannot run with; the message is one line
    naming each such variable and what is wrong with it."""


def _setting(default: Any, unit: str, description: str, **constraints: Any) -> Any:
    """A field with its unit and one-line description (both shown in docs/settings.md)."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **constraints)


def _pairs(value: object) -> object:
    """``<URL> <key>`` pairs separated by commas or newlines, as one environment variable."""
    if not isinstance(value, str):
        return value
    pairs = []
    for item in value.replace("\n", ",").split(","):
        if not item.strip():
            continue
        fields = item.split()
        if len(fields) != 2:
            raise ValueError(f"{item.strip()!r} is not '<URL> <key>'")
        pairs.append((fields[0], fields[1]))
    return tuple(pairs)


class Settings(BaseSettings):
    """What differs between deployments. Production defaults are the safe ones.

    Built from the environment (``Settings()`` or ``from_env``); keyword arguments win over it.
    Frozen: a changed copy is ``settings.replace(name=value)``, validated like the original.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        # An empty variable means "not set" (the default applies, as it always did), except
        # where empty is a value of its own (``_EMPTY_IS_A_VALUE``): see ``_empty_is_unset``.
        env_ignore_empty=False,
        frozen=True,
        validate_by_name=True,
        validate_default=True,
        extra="forbid",
    )

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        # DATABASE_URL too: the name most platforms set for their managed database.
        validation_alias=AliasChoices("KETENREGISTER_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL of the database (SQLite file or postgresql://).",
        json_schema_extra={"unit": "URL"},
    )
    audience: str = _setting(
        "ketenregister", "text", "The `aud` every partner token must carry: this registry's id."
    )
    introspection: bool = _setting(
        False, "flag", "GraphQL introspection: on in the demo, off in production."
    )
    graphiql: bool = _setting(False, "flag", "The GraphiQL page at /graphql: off in production.")
    webhook_allow_private: bool = _setting(
        False,
        "flag",
        "Webhooks may go to loopback/private addresses and plain http (demo and tests only).",
    )
    max_body_bytes: int = _setting(64 * 1024, "bytes", "Largest request body accepted.", gt=0)
    max_query_depth: int = _setting(10, "levels", "Deepest nesting of a GraphQL query.", gt=0)
    max_aliases: int = _setting(30, "aliases", "Most aliases in one GraphQL document.", ge=0)
    max_tokens: int = _setting(2000, "tokens", "Most lexical tokens in one GraphQL document.", gt=0)
    max_cost: int = _setting(
        3000, "objects", "Most objects one answer may hold, counting list page sizes.", gt=0
    )
    max_token_lifetime_seconds: int = _setting(
        300, "seconds", "Longest a partner token may live (exp minus iat).", gt=0
    )
    clock_skew_seconds: int = _setting(
        30, "seconds", "Tolerated clock difference between a partner system and the registry.", ge=0
    )
    log_key_file: str | None = _setting(
        None,
        "path",
        "The signed log's key file (`ketenregister log keygen`); unset: no checkpoints signed.",
    )
    log_origin: str = _setting(
        DEFAULT_LOG_ORIGIN, "text", "The log's origin: first line of its checkpoints, key name."
    )
    data_key: SecretStr | None = _setting(
        None,
        "base64",
        "The households' data key (32 random bytes, base64); required by serve and worker.",
    )
    data_key_file: str | None = _setting(
        None, "path", "A file holding the data key, instead of KETENREGISTER_DATA_KEY."
    )
    max_concurrent_requests: int = _setting(
        8, "requests", "Requests run at once per process, each with one database connection.", gt=0
    )
    queue_timeout_seconds: float = _setting(
        3.0, "seconds", "Longest a request waits for its turn before 503 with Retry-After.", gt=0
    )
    pool_timeout_seconds: float = _setting(
        1.0, "seconds", "Longest a database connection checkout waits (pool: slots + 2).", gt=0
    )
    policy_staleness_seconds: float = _setting(
        1.0, "seconds", "How late a policy changed in another process takes effect here.", ge=0
    )
    idempotency_retention_hours: int = _setting(
        24,
        "hours",
        "How long a mutation's answer is kept for retries with its Idempotency-Key.",
        gt=0,
    )
    rate_limit: str = _setting(
        "50/second;1500/minute",
        "rates",
        "Requests one partner may send to this process, e.g. `50/second;1500/minute`; empty: none.",
    )
    max_requests_per_partner: int = _setting(
        0, "requests", "One partner's requests running at once; 0: a quarter of the slots.", ge=0
    )
    webhook_connect_timeout_seconds: float = _setting(
        3.0, "seconds", "Longest a webhook post may take to connect (TLS included).", gt=0
    )
    webhook_timeout_seconds: float = _setting(
        10.0, "seconds", "Longest a whole webhook post may take before it counts as failed.", gt=0
    )
    witnesses: Annotated[tuple[tuple[str, str], ...], NoDecode] = _setting(
        (),
        "pairs",
        "Witnesses cosigning checkpoints: `<URL> <key>` pairs separated by commas or newlines.",
    )
    witness_timeout_seconds: float = _setting(
        3.0, "seconds", "How long a checkpoint request waits for each witness.", gt=0
    )
    log_format: Literal["json", "console"] = _setting(
        "json", "choice", "The server's own log lines: `json` (for a shipper) or `console`."
    )
    log_level: Literal["debug", "info", "warning", "error"] = _setting(
        "info", "choice", "The server log's lowest level."
    )
    console_secure_cookie: bool = _setting(
        True, "flag", "The console's session cookie goes over https only (off in the demo)."
    )
    console_oidc_file: str | None = _setting(
        None,
        "path",
        "TOML file of the organisations' identity providers for console single sign-on "
        "(`[[provider]]` tables); unset: passwords only.",
    )
    retention_prevented_years: int = _setting(
        2, "years", "Keep a case closed with the eviction prevented (legal minimum 1)."
    )
    retention_evicted_years: int = _setting(
        5, "years", "Keep a case closed after an eviction (legal minimum 2)."
    )
    retention_open_unchanged_years: int = _setting(
        5, "years", "Keep an open case that has not changed (legal minimum 2)."
    )
    retention_access_log_years: int = _setting(
        5, "years", "Keep access-log records (minimum 2, and not below the prevented period)."
    )

    _parse_witnesses = field_validator("witnesses", mode="before")(_pairs)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, values: Any) -> Any:
        """An empty value is no value, and the default applies, except for the rate limit,
        where empty means none (as the deployment guide has always said)."""
        if not isinstance(values, dict):
            return values
        return {
            key: value for key, value in values.items() if value != "" or key in _EMPTY_IS_A_VALUE
        }

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("rate_limit")
    @classmethod
    def _rates(cls, value: str) -> str:
        if value.strip():
            try:
                limits.parse_many(value)
            except ValueError:
                raise ValueError(f"{value!r} is not like '50/second;1500/minute'") from None
        return value

    @classmethod
    def from_env(cls) -> Settings:
        """The settings in the environment; ``SettingsError`` (one line) if one is invalid."""
        try:
            return cls()
        except ValidationError as exc:
            raise SettingsError(describe(exc)) from None

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``, validated as the environment's values are."""
        values = {name: getattr(self, name) for name in type(self).model_fields}
        try:
            return type(self).model_validate({**values, **changes})
        except ValidationError as exc:
            raise SettingsError(describe(exc)) from None


#: Settings whose empty value means something (none) rather than "not set".
_EMPTY_IS_A_VALUE = frozenset({"rate_limit"})


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    return f"{ENV_PREFIX}{field.upper()}"


def _secret(field: str) -> bool:
    return "database_url" in field.lower() or field.lower().endswith("data_key")


def describe(error: ValidationError) -> str:
    """One line naming each invalid variable, its value's problem and never a traceback."""
    problems = []
    for item in error.errors(include_url=False):
        field = str(item["loc"][0]) if item["loc"] else "settings"
        name = field if field.isupper() else env_name(field)
        message = str(item["msg"]).removeprefix("Value error, ")
        # The value helps find a typo, except where it is a secret (a URL may hold a password).
        if isinstance(item.get("input"), str) and not _secret(field):
            message += f" (got {item['input']!r})"
        problems.append(f"{name}: {message}")
    return "; ".join(problems)
