"""A partner's relation to a case, derived in SQL so lists are filtered in the database."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, exists
from sqlalchemy.sql import Select

from policies import Relation
from registry.models import Case, Involvement, Municipality


def relation_expr(partner_id: str) -> ColumnElement[str | None]:
    """``owner``, ``municipality``, ``involved`` or NULL for each case row (needs the
    municipality joined: see ``with_relation``). The strongest relation wins."""
    involved = exists().where(
        Involvement.case_id == Case.id,
        Involvement.partner_id == partner_id,
        Involvement.released_at.is_(None),
    )
    return case(
        (Case.owner_id == partner_id, str(Relation.OWNER)),
        (Municipality.authority_id == partner_id, str(Relation.MUNICIPALITY)),
        (involved, str(Relation.INVOLVED)),
        else_=None,
    )


def with_relation(stmt: Select[tuple[Case]], partner_id: str) -> Select[tuple[Case, str]]:
    """``stmt`` with the relation as a second column, limited to cases the partner relates to."""
    rel = relation_expr(partner_id)
    return (
        stmt.add_columns(rel)
        .join(Municipality, Municipality.code == Case.municipality_code)
        .where(and_(rel.is_not(None)))
    )
