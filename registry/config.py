"""Settings of one registry deployment, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///var/ketenregister.sqlite3"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else float(value)


def _pairs(value: str) -> tuple[tuple[str, str], ...]:
    """``<URL> <key>`` pairs separated by commas or newlines."""
    pairs = []
    for item in value.replace("\n", ",").split(","):
        if not item.strip():
            continue
        fields = item.split()
        if len(fields) != 2:
            raise ValueError(f"KETENREGISTER_WITNESSES: {item.strip()!r} is not '<URL> <key>'")
        pairs.append((fields[0], fields[1]))
    return tuple(pairs)


@dataclass(frozen=True)
class Settings:
    """What differs between deployments. Production defaults are the safe ones."""

    database_url: str = DEFAULT_DATABASE_URL
    #: The ``aud`` every partner token must carry: this registry's identifier.
    audience: str = "ketenregister"
    #: Introspection and the GraphiQL page: on in the demo, off by default in production.
    introspection: bool = False
    graphiql: bool = False
    #: Whether webhooks may go to loopback, private or link-local addresses, and over plain
    #: http. Off in production: otherwise a partner could make the registry post into its own
    #: network. The demo and the tests, whose receivers listen on 127.0.0.1, turn it on.
    webhook_allow_private: bool = False
    max_body_bytes: int = 64 * 1024
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    #: The most objects one answer may hold, counting list page sizes (``schema/limits.py``).
    max_cost: int = 3000
    #: Tokens live at most this long (DESIGN: exp at most 5 minutes after iat).
    max_token_lifetime_seconds: int = 300
    #: Tolerated clock difference between a partner system and the registry.
    clock_skew_seconds: int = 30
    #: The signed audit log's key file (``ketenregister log keygen``); without one the log
    #: still records every event, but no checkpoint can be signed.
    log_key_file: str | None = None
    #: The log's origin: the first line of its checkpoints and the name of its key.
    log_origin: str = "ketenregister.local/log"
    #: Requests that run at once in this process, each holding one database connection; the
    #: rest wait their turn. The pool holds these plus two (webhook worker, housekeeping).
    max_concurrent_requests: int = 8
    #: How long a request waits for its turn (and for a connection) before it is answered
    #: ``503 UNAVAILABLE`` with ``Retry-After``: shed load quickly rather than hang.
    queue_timeout_seconds: float = 3.0
    #: How stale this process's view of the policy set may be: a policy changed through
    #: another process takes effect here within this many seconds (at once in this one).
    policy_staleness_seconds: float = 1.0
    #: How long the outcome of a mutation sent with an ``Idempotency-Key`` is kept for retries.
    idempotency_retention_hours: int = 24
    #: Requests one partner may send to this process ("" for no limit), and how many of its
    #: requests may run at once (0: a quarter of the request slots, at least one; the
    #: rest wait in its own line), so that one partner's burst always leaves slots to others.
    rate_limit: str = "50/second;1500/minute"
    max_requests_per_partner: int = 0
    #: Witnesses that cosign the log's checkpoints (C2SP tlog-witness), as ``(URL, verifier
    #: key)`` pairs; ``KETENREGISTER_WITNESSES`` holds ``<URL> <key>`` pairs separated by
    #: commas or newlines. None configured: checkpoints are served with the log's signature only.
    witnesses: tuple[tuple[str, str], ...] = ()
    #: How long a checkpoint request waits for each witness before serving without its
    #: cosignature (a witness that failed is asked again only after a back-off).
    witness_timeout_seconds: float = 3.0
    #: The server's own log lines (``registry.serverlog``): ``json`` (one object per line, for
    #: a log shipper) or ``console`` (for a person; the demo's default), from this level up.
    log_format: str = "json"
    log_level: str = "info"
    #: The console's session cookie is sent over https only; off in the demo (plain http).
    console_secure_cookie: bool = True
    #: The organisations' identity providers for console single sign-on: a TOML file of
    #: ``[[provider]]`` tables (``registry.staff.oidc.load_providers``); none: passwords only.
    console_oidc_file: str | None = None
    #: Retention periods in years (``registry.privacy.retention``: defaults argued there;
    #: shorter than a legal minimum is refused when the policy is built).
    retention_prevented_years: int = 2
    retention_evicted_years: int = 5
    retention_open_unchanged_years: int = 5
    retention_access_log_years: int = 5

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``KETENREGISTER_*`` variables (``DATABASE_URL`` is honoured too)."""
        return cls(
            database_url=os.environ.get(
                "KETENREGISTER_DATABASE_URL", os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
            ),
            audience=os.environ.get("KETENREGISTER_AUDIENCE", cls.audience),
            introspection=_flag("KETENREGISTER_INTROSPECTION", False),
            graphiql=_flag("KETENREGISTER_GRAPHIQL", False),
            webhook_allow_private=_flag("KETENREGISTER_WEBHOOK_ALLOW_PRIVATE", False),
            log_key_file=os.environ.get("KETENREGISTER_LOG_KEY_FILE") or None,
            log_origin=os.environ.get("KETENREGISTER_LOG_ORIGIN", cls.log_origin),
            max_concurrent_requests=int(
                _number("KETENREGISTER_MAX_CONCURRENT_REQUESTS", cls.max_concurrent_requests)
            ),
            queue_timeout_seconds=_number(
                "KETENREGISTER_QUEUE_TIMEOUT_SECONDS", cls.queue_timeout_seconds
            ),
            policy_staleness_seconds=_number(
                "KETENREGISTER_POLICY_STALENESS_SECONDS", cls.policy_staleness_seconds
            ),
            max_cost=int(_number("KETENREGISTER_MAX_COST", cls.max_cost)),
            rate_limit=os.environ.get("KETENREGISTER_RATE_LIMIT", cls.rate_limit),
            max_requests_per_partner=int(
                _number("KETENREGISTER_MAX_REQUESTS_PER_PARTNER", cls.max_requests_per_partner)
            ),
            idempotency_retention_hours=int(
                _number(
                    "KETENREGISTER_IDEMPOTENCY_RETENTION_HOURS", cls.idempotency_retention_hours
                )
            ),
            console_secure_cookie=_flag("KETENREGISTER_CONSOLE_SECURE_COOKIE", True),
            console_oidc_file=os.environ.get("KETENREGISTER_CONSOLE_OIDC_FILE") or None,
            witnesses=_pairs(os.environ.get("KETENREGISTER_WITNESSES", "")),
            witness_timeout_seconds=_number(
                "KETENREGISTER_WITNESS_TIMEOUT_SECONDS", cls.witness_timeout_seconds
            ),
            log_format=os.environ.get("KETENREGISTER_LOG_FORMAT", cls.log_format),
            log_level=os.environ.get("KETENREGISTER_LOG_LEVEL", cls.log_level),
            retention_prevented_years=int(
                _number("KETENREGISTER_RETENTION_PREVENTED_YEARS", cls.retention_prevented_years)
            ),
            retention_evicted_years=int(
                _number("KETENREGISTER_RETENTION_EVICTED_YEARS", cls.retention_evicted_years)
            ),
            retention_open_unchanged_years=int(
                _number(
                    "KETENREGISTER_RETENTION_OPEN_UNCHANGED_YEARS",
                    cls.retention_open_unchanged_years,
                )
            ),
            retention_access_log_years=int(
                _number("KETENREGISTER_RETENTION_ACCESS_LOG_YEARS", cls.retention_access_log_years)
            ),
        )
