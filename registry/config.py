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
    #: Tokens live at most this long (DESIGN: exp at most 5 minutes after iat).
    max_token_lifetime_seconds: int = 300
    #: Tolerated clock difference between a partner system and the registry.
    clock_skew_seconds: int = 30
    #: The signed audit log's key file (``ketenregister log keygen``); without one the log
    #: still records every event, but no checkpoint can be signed.
    log_key_file: str | None = None
    #: The log's origin: the first line of its checkpoints and the name of its key.
    log_origin: str = "ketenregister.local/log"

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
        )
