"""Writing a corporation's caseload in batches: each line checked and built exactly as
``registerCase`` checks and builds a case (``registry.cases.service.registration``), then
written many at a time.

An import happens in two passes. ``check`` runs every line through the registration checks
and writes nothing; ``write`` then adds the cases in batches, one transaction each. So a bad
line stops the import before anything is written (unless the caller skips bad lines), and a
batch is written whole or not at all.

A case's id is derived from its owner and the owner's reference (``case_id_for``): the
reference itself is not stored, and a line imported before (by this import, an earlier run, or
one running at the same time) finds its case there and is skipped. Each batch locks the owner's
partner row first (on SQLite, the write lock), so two imports of one owner's overlapping files
take turns per batch and each case is written once.

What a registered case gets, an imported one gets too: its contact sealed under its own data
key (at flush), its first early signal with its reply clocks, the ``case.registered`` outbox
event that tells the municipality (one per case, as ``registerCase`` does: each is a
household the municipality must offer help to), and an access-log record for the importer
(``identified``: it learns the case's id). ``case.registered`` is not an entry of the signed
log, for ``registerCase`` neither.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from policies import Permission, PolicyEngine, Relation
from registry import tracing
from registry.access import accesslog
from registry.access.disclosure import Disclosure
from registry.access.policystore import policy_engine
from registry.access.principal import DEFAULT_PURPOSE, Principal
from registry.bulkwrite import insert_rows
from registry.cases.service import CaseRows, registration_rows
from registry.db import begin_writing
from registry.errors import InvalidInputError, RegistryError
from registry.events import Event
from registry.imports.lines import ImportLine, LineError
from registry.models import Case, CaseContact, CaseSignal, Municipality, Partner, SignalReplyTerms
from registry.models.sealing import sealed_row
from registry.privacy.blind_index import digests
from registry.recording import record_each
from registry.request import RequestScope

#: The namespace of imported cases' ids (``uuid5``): fixed, so a reference keeps its id.
CASE_ID_NAMESPACE = uuid.UUID("7b6f1e2a-4c1d-5e8f-9a3b-2d4c6e8f0a1b")
#: Cases per transaction: large enough that a statement carries many rows, small enough that
#: a batch holds SQLite's write lock for a fraction of a second.
BATCH_SIZE = 500
#: The access-log operation of an import's records.
OPERATION = "import"

Progress = Callable[[int], None]


def case_id_for(owner: str, reference: str) -> uuid.UUID:
    """The id of the case ``owner`` imports under its ``reference``; the corporation can
    compute it itself (``uuid5`` of ``<owner>/<reference>`` in ``CASE_ID_NAMESPACE``)."""
    return uuid.uuid5(CASE_ID_NAMESPACE, f"{owner}/{reference}")


class ImportRefusedError(InvalidInputError):
    """Lines of the file are not cases ``registerCase`` accepts: nothing was imported."""

    def __init__(self, errors: list[LineError], lines: int | None = None) -> None:
        counted = (
            f"{len(errors):,} of {lines:,} lines are" if lines else f"{len(errors):,} lines are"
        )
        super().__init__(
            f"{counted} not accepted (first: {errors[0]}); nothing "
            + ("was imported" if lines else "of their batch was imported")
        )
        self.errors = errors


@dataclass
class Checked:
    """What ``check`` found: how many lines it read, and the ones that are refused."""

    lines: int = 0
    errors: list[LineError] = field(default_factory=list)


@dataclass
class ImportReport:
    """What ``write`` did, line by line where it matters."""

    imported: int = 0
    #: Lines whose reference was imported already: (line number, reference).
    already_imported: list[tuple[int, str]] = field(default_factory=list)
    #: Lines refused (only with ``skip_invalid``).
    skipped_invalid: list[LineError] = field(default_factory=list)


def principal_of(session: Session, partner_id: str) -> Principal:
    """The partner an import is made for, as the principal of a request it made itself."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise InvalidInputError(f"unknown partner {partner_id!r}")
    return Principal(
        partner_id=partner.id,
        kind=str(partner.kind),
        municipalities=partner.municipality_codes,
        actor=None,
        purpose=DEFAULT_PURPOSE,
        trace=tracing.trace_from_header(None),
    )


class _ImportScope(RequestScope):
    """The scope of an import: one caller, one kind of step, many lines."""

    def __init__(self, session: Session, principal: Principal, now: dt.datetime) -> None:
        # The import reads no case field, so no policy is asked: the disclosure only records
        # which cases the importer learnt the id of (its access-log records).
        disclosure = Disclosure(_engine(), principal, today=now.date())
        super().__init__(session, principal, disclosure, now)
        self._permitted: set[tuple[Permission, Relation]] = set()
        # Held for the session's life: its identity map keeps a row only while something
        # refers to it, and every line looks its municipality and its reply terms up.
        self._held = [
            *session.scalars(select(Municipality)).all(),
            *session.scalars(select(SignalReplyTerms)).all(),
        ]

    def require(
        self,
        permission: Permission,
        relation: Relation,
        what: str,
        *,
        refusal: str | None = None,
    ) -> None:
        """``RequestScope.require``, asked once per permission and relation: the answer
        depends on nothing a line changes (only on the caller's kind), and asking the
        policies is the dearest step of a line."""
        if (permission, relation) not in self._permitted:
            super().require(permission, relation, what, refusal=refusal)
            self._permitted.add((permission, relation))


@cache
def _engine() -> PolicyEngine:
    # Built once: every batch's scope would build the same engine of the built-in rows anew.
    return policy_engine()


def _scope(session: Session, principal: Principal, now: dt.datetime) -> RequestScope:
    return _ImportScope(session, principal, now)


def check(
    sessions: sessionmaker[Session],
    partner_id: str,
    lines: Iterable[ImportLine | LineError],
    *,
    now: dt.datetime,
    progress: Progress | None = None,
) -> Checked:
    """Run every line through ``registerCase``'s checks as ``partner_id`` at ``now``,
    writing nothing; the refused lines name their line number and code."""
    checked = Checked()
    with sessions() as session:
        scope = _scope(session, principal_of(session, partner_id), now)
        for line in lines:
            checked.lines += 1
            if isinstance(line, LineError):
                checked.errors.append(line)
            else:
                try:
                    registration_rows(scope, line.case)
                except RegistryError as exc:
                    checked.errors.append(LineError(line.number, exc.code, exc.message))
            if progress is not None:
                progress(1)
        session.rollback()
    return checked


def write(
    sessions: sessionmaker[Session],
    partner_id: str,
    lines: Iterable[ImportLine | LineError],
    *,
    now: dt.datetime,
    skip_invalid: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportReport:
    """Add the lines' cases as ``partner_id``'s at ``now``, ``batch_size`` per transaction;
    lines imported before are skipped and reported. A refused line (it was ``check``-ed, but
    the registry may have changed since) stops the import at its batch, which is not
    written, unless ``skip_invalid``; the batches before it stay (a re-run completes it).

    Raises:
        ImportRefusedError: a line was refused and ``skip_invalid`` is off.
    """
    report = ImportReport()
    with sessions() as session:
        principal = principal_of(session, partner_id)
    with tracing.within(principal.trace):  # the webhooks it causes continue the import's trace
        for batch in _batches(lines, batch_size):
            _write_batch(sessions, principal, batch, now, report, skip_invalid=skip_invalid)
            if progress is not None:
                progress(len(batch))
    return report


def _batches(
    lines: Iterable[ImportLine | LineError], size: int
) -> Iterator[list[ImportLine | LineError]]:
    it = iter(lines)
    while batch := list(islice(it, size)):
        yield batch


def _write_batch(
    sessions: sessionmaker[Session],
    principal: Principal,
    batch: list[ImportLine | LineError],
    now: dt.datetime,
    report: ImportReport,
    *,
    skip_invalid: bool,
) -> None:
    owner = principal.partner_id
    refused: list[LineError] = []
    already: list[tuple[int, str]] = []
    with sessions() as session:
        begin_writing(session)
        # Imports of one owner take turns here, so the check below sees every case the other
        # committed (PostgreSQL; SQLite's write lock, taken above, serialises them already).
        session.execute(select(Partner.id).where(Partner.id == owner).with_for_update())
        ids = {
            line.number: case_id_for(owner, line.reference)
            for line in batch
            if isinstance(line, ImportLine)
        }
        present = set(session.scalars(select(Case.id).where(Case.id.in_(ids.values()))))
        scope = _scope(session, principal, now)
        added: list[CaseRows] = []
        for line in batch:
            if isinstance(line, LineError):
                refused.append(line)
                continue
            case_id = ids[line.number]
            if case_id in present:
                already.append((line.number, line.reference))
                continue
            try:
                rows = registration_rows(scope, line.case, case_id=case_id)
            except RegistryError as exc:
                refused.append(LineError(line.number, exc.code, exc.message))
                continue
            present.add(case_id)  # a reference twice in the file: its second line is skipped
            added.append(rows)
        if refused and not skip_invalid:
            session.rollback()
            raise ImportRefusedError(refused)
        _insert(session, added)
        new_ids = [rows.case["id"] for rows in added]
        record_each(session, Event.CASE_REGISTERED, new_ids, now)
        for case_id in new_ids:
            scope.disclosure.processed(case_id)
        accesslog.write(session, scope.disclosure, OPERATION, now)
        session.commit()
    report.imported += len(added)
    report.already_imported.extend(already)
    report.skipped_invalid.extend(refused)


def _insert(session: Session, added: list[CaseRows]) -> None:
    # The rows as a flush of the registered cases would store them (each contact sealed under
    # a new data key of its case, its blind-index digests beside it), written a table at a
    # time (``registry.bulkwrite``: COPY on PostgreSQL): the unit of work's bookkeeping cost
    # many times the writes themselves.
    cases, contacts = [], []
    for rows in added:
        contact = rows.contact
        address_index, identity_index = digests(
            contact["name"], contact["address"], contact["postal_code"]
        )
        data_key, sealed = sealed_row(CaseContact, rows.case["id"], contact)
        cases.append({**rows.case, "data_key": data_key})
        contacts.append(
            {**sealed, "address_index": address_index, "identity_index": identity_index}
        )
    insert_rows(session, Case, cases)
    insert_rows(session, CaseContact, contacts)
    insert_rows(session, CaseSignal, [rows.signal for rows in added if rows.signal is not None])
