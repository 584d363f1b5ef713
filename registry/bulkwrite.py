"""Writing many new rows of one table in the caller's transaction: ``COPY ... FROM STDIN`` on
PostgreSQL, one batched ``INSERT`` elsewhere.

A bulk import writes tens of thousands of rows a minute. Through the ORM each row is an object
with its history, cascades and flush bookkeeping, which cost many times the write itself;
even a Core ``INSERT`` sends each row's values as bind parameters of a statement PostgreSQL
parses and plans again per batch. ``COPY`` streams the rows in PostgreSQL's own text format,
the fastest way in short of a file on the server.

The rows are what a Core ``insert`` of the table takes (keyed by column key, each value as the
model holds it), so the two roads are interchangeable: a column the row leaves out gets its
Python-side default as an ``INSERT`` would give it, and each value goes through its type's
bind processing (an enum's value, a JSON document, a UTC timestamp) before PostgreSQL's
adapters write it. Constraints, triggers and foreign keys are checked by the database as for
any insert; a row that breaks one aborts the transaction, whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Column, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from registry.db import Base

#: Fewer rows than this go as an ``INSERT``: for a handful, COPY's extra round trips cost more.
COPY_FROM = 64


def insert_rows(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Add ``rows`` to ``model``'s table in the session's transaction (flushing what is
    pending first, so that rows they refer to exist). Every row has the keys of the first."""
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)  # every model here maps one table
    session.flush()
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        session.execute(insert(table), list(rows))
        return
    plan = _copy_plan(table, connection.dialect, tuple(rows[0]))
    driver = connection.connection.driver_connection
    assert driver is not None  # an open session's connection has one
    with driver.cursor() as cursor, cursor.copy(plan.statement) as copy:
        for row in rows:
            values = [row[key] for key in plan.given]
            values += [default() for default in plan.defaults]
            for at, process in plan.processors:
                if values[at] is not None:
                    values[at] = process(values[at])
            copy.write_row(values)


@dataclass(frozen=True)
class _CopyPlan:
    statement: str
    #: The keys the rows give, in the statement's order; then the defaults of the columns
    #: they leave out that have a Python-side default, in order.
    given: tuple[str, ...]
    defaults: tuple[Callable[[], Any], ...]
    #: (position, bind processing) of the columns whose type processes a value bound.
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]


@cache
def _copy_plan(table: Table, dialect: Dialect, keys: tuple[str, ...]) -> _CopyPlan:
    # Once per table, engine and shape of row. As an INSERT would, it names the columns the
    # rows give and those with a Python-side default; the others get the database's default.
    given = [c for c in table.columns if c.key in keys]
    defaulted = [c for c in table.columns if c.key not in keys and _python_default(c)]
    columns = given + defaulted
    preparer = dialect.identifier_preparer
    statement = "COPY {} ({}) FROM STDIN".format(
        preparer.format_table(table), ", ".join(preparer.quote(c.name) for c in columns)
    )
    processors = [
        (at, c.type.dialect_impl(dialect).bind_processor(dialect)) for at, c in enumerate(columns)
    ]
    return _CopyPlan(
        statement,
        tuple(c.key for c in given),
        tuple(_default_of(c) for c in defaulted),
        tuple((at, process) for at, process in processors if process is not None),
    )


def _python_default(column: Column[Any]) -> bool:
    return isinstance(column.default, (ScalarElementColumnDefault, CallableColumnDefault))


def _default_of(column: Column[Any]) -> Callable[[], Any]:
    default = column.default
    if isinstance(default, ScalarElementColumnDefault):
        value = default.arg
        return lambda: value
    if isinstance(default, CallableColumnDefault):
        produce = default.arg  # SQLAlchemy wraps a callable to take the execution context
        return lambda: produce(None)  # type: ignore[arg-type]  # the defaults here take none
    return lambda: None
