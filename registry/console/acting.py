"""Who acts in a console request: the staff member, their organisation (the principal of
every GraphQL operation) and the session's purpose; and how the console runs an operation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from registry.access.principal import Principal
from registry.errors import RegistryError
from registry.models import StaffRole, StaffSession
from registry.tracing import trace_from_header

#: Runs one GraphQL operation as a principal, in its own transaction with its access log:
#: the composition root passes in the same execution partner systems get.
RunGraphQL = Callable[[Principal, str, dict[str, Any] | None, str | None], dict[str, Any]]

ROLE_NAMES: dict[StaffRole, str] = {
    StaffRole.ADMIN: "beheerder",
    StaffRole.POLICY_OFFICER: "beleidsmedewerker",
    StaffRole.CASE_WORKER: "casemanager",
    StaffRole.MONITOR: "monitor",
}


class OperationError(RegistryError):
    """A GraphQL operation of the console answered with errors (their messages joined)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Acting:
    """The staff member of a live session, as the pages need them."""

    username: str
    display_name: str
    role: StaffRole
    partner_id: str
    partner_name: str
    partner_kind: str
    municipalities: frozenset[str]
    purpose: str
    csrf_token: str

    @classmethod
    def of(cls, row: StaffSession) -> Acting:
        """The acting staff member of a session row (its member and partner loaded)."""
        member = row.staff
        return cls(
            username=member.username,
            display_name=member.display_name,
            role=member.role,
            partner_id=member.partner_id,
            partner_name=member.partner.name,
            partner_kind=str(member.partner.kind),
            municipalities=member.partner.municipality_codes,
            purpose=row.purpose,
            csrf_token=row.csrf_token,
        )

    def principal(self, traceparent: str | None = None) -> Principal:
        """The organisation as the principal, this person as the acting person."""
        return Principal(
            partner_id=self.partner_id,
            kind=self.partner_kind,
            municipalities=self.municipalities,
            actor=self.username,
            purpose=self.purpose,
            trace=trace_from_header(traceparent),
        )


class Operations:
    """GraphQL operations run for one acting staff member."""

    def __init__(self, run: RunGraphQL, acting: Acting) -> None:
        self._run = run
        self.acting = acting

    def raw(
        self, query: str, variables: dict[str, Any] | None = None, name: str | None = None
    ) -> dict[str, Any]:
        """The full answer (``data`` and ``errors``), as a GraphQL client gets it."""
        return self._run(self.acting.principal(), query, variables, name)

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The answer's ``data``; ``OperationError`` when it has errors."""
        answer = self.raw(query, variables, _name_of(query))
        errors = answer.get("errors") or []
        if errors:
            code = str(errors[0].get("extensions", {}).get("code", "ERROR"))
            raise OperationError("; ".join(str(e.get("message")) for e in errors), code)
        return dict(answer.get("data") or {})


def _name_of(query: str) -> str | None:
    """The operation name written after ``query``/``mutation`` (the access log's label)."""
    words = query.replace("(", " ").replace("{", " ").split()
    if len(words) > 1 and words[0] in {"query", "mutation"}:
        return words[1]
    return None
