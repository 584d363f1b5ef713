"""One request's scope: who asks, through which disclosure, on which session, at what time,
and what it selected; the one door through which services check the caller's permissions and
find its cases.

Built by the composition root for every request and handed to the GraphQL layer as its
context; every service takes it first. Mutations run through ``mutate`` so each one happens
entirely or not at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from policies import Permission, Relation, permits
from registry.access.disclosure import Disclosure
from registry.access.principal import Principal
from registry.auditlog.signer import LogSigner
from registry.cases import service as cases
from registry.db import begin_writing
from registry.errors import NotAllowedError
from registry.models import Case
from registry.notifications.targets import TargetPolicy

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class RequestScope:
    """Everything a service call in this request needs."""

    session: Session
    principal: Principal
    disclosure: Disclosure
    #: The request's clock: every "today", "due" and "lies in the future" is judged by it.
    now: dt.datetime
    #: Signs checkpoints when a partner asks for the latest; None when none is configured.
    log_signer: LogSigner | None = None
    #: Where this deployment lets webhooks go (checked when a partner subscribes).
    webhook_targets: TargetPolicy = field(default_factory=TargetPolicy)
    #: The field names the caller selected below the operation being resolved, at any depth
    #: (None: all of them, as for a call from outside the API). A case view reads and logs
    #: only these, so a mutation's result is logged as what was sent, not as all that was
    #: readable; a name that is not a case field is ignored there.
    selection: frozenset[str] | None = None

    @property
    def today(self) -> dt.date:
        """The request's day."""
        return self.now.date()

    def selecting(self, selection: frozenset[str] | None) -> RequestScope:
        """This scope for one operation of the request, which selected ``selection``."""
        return dataclasses.replace(self, selection=selection)

    def require(
        self,
        permission: Permission,
        relation: Relation,
        what: str,
        *,
        refusal: str | None = None,
    ) -> None:
        """Refuse (``NotAllowedError``) unless the policies permit the caller's kind, in
        ``relation`` to the thing it acts on (``Relation.NONE``: to none), ``permission``.

        The refusal reads "<partner> may not <what>", or ``refusal`` where the message says
        instead who may.
        """
        if not permits(self.principal.kind, relation, permission):
            raise NotAllowedError(refusal or f"{self.principal.partner_id} may not {what}")

    def find_case(
        self,
        case_id: str | uuid.UUID,
        *,
        fields: frozenset[str] | None = None,
        for_change: bool = False,
        include_erased: bool = False,
    ) -> tuple[Case, Relation]:
        """The case and the caller's relation to it; ``NotFoundError`` when it has none
        (``cases.find``). Text that is no case id is invalid input. ``fields`` names the case
        fields that will be read (None: all), so that only their related rows are loaded;
        ``for_change`` locks the case's row and reads it afresh before any rule is checked;
        an erased case is found only ``include_erased`` (its access report)."""
        parsed = cases.parse_case_id(case_id) if isinstance(case_id, str) else case_id
        return cases.find(
            self.session,
            self.principal.partner_id,
            parsed,
            fields,
            for_change=for_change,
            include_erased=include_erased,
        )

    def mutate(
        self,
        change: Callable[Concatenate[RequestScope, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``change`` with this scope in a savepoint: if it raises, none of its writes
        remain, while the rest of the request (other mutations, the access log) still
        commits."""
        begin_writing(self.session)
        with self.session.begin_nested():
            return change(self, *args, **kwargs)
