"""Database plumbing: the declarative base, engines and sessions.

SQLite is the embedded default (WAL, ``synchronous=FULL`` so that an acknowledged write survives
power loss); PostgreSQL is the production database. Services receive a session; only the
composition root and the CLI create one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Stable constraint names, so that Alembic migrations are the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every mapped class."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


#: Connections beyond the request slots: the webhook worker's and housekeeping's.
_BACKGROUND_CONNECTIONS = 2


def make_engine(database_url: str, *, request_slots: int = 8, pool_timeout: float = 1.0) -> Engine:
    """An engine for ``database_url``; for SQLite the file's folder is created.

    The pool holds one connection per request slot (a request holds at most one) plus the
    background ones, and a checkout waits at most ``pool_timeout`` seconds: a request that
    gets no connection in time fails fast as unavailable instead of hanging for 30 s.
    """
    url = make_url(database_url)
    if url.drivername.startswith("postgresql") and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    pool = {
        "pool_size": request_slots + _BACKGROUND_CONNECTIONS,
        "max_overflow": 0,
        "pool_timeout": pool_timeout,
    }
    if url.drivername.startswith("sqlite"):
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def is_transient(error: BaseException | None) -> bool:
    """Whether ``error`` says the database is out of reach for now (no free connection, the
    server restarting or gone, SQLite busy past its timeout), so that the same request may
    well succeed when retried: answered ``503 UNAVAILABLE``, not as a bug."""
    return isinstance(
        error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError
    ) or (isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (views are built before commit)."""
    return sessionmaker(engine, expire_on_commit=False)


def begin_writing(session: Session) -> None:
    """Take SQLite's write lock now, at the start of a change (a no-op on PostgreSQL).

    pysqlite begins a transaction lazily, so a change that reads before it writes runs in a
    deferred transaction; its first write then has to upgrade a read lock, and SQLite refuses
    that at once ("database is locked", busy_timeout does not apply) when another connection
    committed since the read. ``BEGIN IMMEDIATE`` takes the write lock first and waits for it
    (busy_timeout) instead, so concurrent changes queue rather than fail.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
