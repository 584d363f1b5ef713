"""One request's scope: its session, principal, disclosure, clock and the log's signer.

Built by the composition root for every request and handed to the GraphQL layer as its
context. Mutations run through ``mutate`` so each one happens entirely or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session

from registry.access.disclosure import Disclosure
from registry.access.principal import Principal
from registry.auditlog.signer import LogSigner
from registry.db import begin_writing
from registry.notifications.targets import TargetPolicy

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class RequestScope:
    """Everything a service call in this request needs."""

    session: Session
    principal: Principal
    disclosure: Disclosure
    now: dt.datetime
    #: Signs checkpoints when a partner asks for the latest; None when none is configured.
    log_signer: LogSigner | None = None
    #: Where this deployment lets webhooks go (checked when a partner subscribes).
    webhook_targets: TargetPolicy = field(default_factory=TargetPolicy)

    def mutate(self, change: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``change`` in a savepoint: if it raises, none of its writes remain, while the
        rest of the request (other mutations, the access log) still commits."""
        begin_writing(self.session)
        with self.session.begin_nested():
            return change(*args, **kwargs)
