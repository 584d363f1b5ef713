"""The tree's nodes from the database: one query per proof, and the top of the tree, shared by
every proof, read once per connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from registry.auditlog import merkle
from registry.auditlog.sequencer import read_state
from registry.auditlog.store import SHARED_LEVEL, compute_with_nodes


def test_the_top_of_the_tree_is_read_once_per_connection(sessions: sessionmaker[Session]) -> None:
    levels: list[list[int]] = []  # the levels each query asked for

    def count(_conn: Any, _cursor: Any, statement: str, params: Any, *_args: Any) -> None:
        if "audit_log_node" in statement:
            if isinstance(params, dict):  # PostgreSQL: by name
                levels.append([v for k, v in params.items() if k.startswith("l")])
            else:  # SQLite: in order, (level, index) per node
                levels.append(list(params[::2]))

    with sessions() as session:
        size = read_state(session).size
        assert size > 2**SHARED_LEVEL * 4
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            first = compute_with_nodes(session, lambda s: merkle.inclusion_proof(s, 0, size))
            again = compute_with_nodes(session, lambda s: merkle.inclusion_proof(s, 0, size))
            # A proof of the next leaf shares its upper nodes with the first.
            compute_with_nodes(session, lambda s: merkle.inclusion_proof(s, 1, size))
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert first == again
    assert len(levels) == 3  # one query per proof
    assert max(levels[0]) >= SHARED_LEVEL
    assert max(levels[1]) < SHARED_LEVEL  # the top of the tree was read once
    assert max(levels[2]) < SHARED_LEVEL
