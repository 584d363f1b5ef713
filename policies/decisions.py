"""The one typed decision API over Casbin for field access.

Callers ask which fields of a case a partner may read, given its relation to the case, in the
words of the ``Vocabulary`` the engine is built with (the registry's, assembled from what each
aggregate declares). An answer is computed once per distinct ``AccessKey`` for the lifetime of
a ``PolicyEngine`` (one engine per policy version), never once per field per record: a list of
10,000 cases in one municipality needs a handful of keys, each decided by one Casbin call per
field.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import casbin

from policies.vocabulary import Vocabulary

MODEL_PATH = Path(__file__).with_name("model.conf")


class Relation(StrEnum):
    """A partner's relation to a case, derived from the database."""

    OWNER = "owner"  # the corporation that registered the case
    MUNICIPALITY = "municipality"  # the municipality the case belongs to
    INVOLVED = "involved"  # listed as involved, with a role
    NONE = "none"  # no relation: the case does not exist for this partner


class PolicyEffect(StrEnum):
    """What a stored policy row does."""

    GRANT = "grant"  # a municipality releases fields for its municipality
    RESTRICTION = "restriction"  # an owner shares only these fields of its own cases


@dataclass(frozen=True)
class PolicyRow:
    """A policy as Casbin needs it: plain values, no registry types.

    ``subject`` is ``"*"``, ``"kind:<kind>"``, ``"partner:<id>"`` or ``"role:<role>"`` (an
    involvement role); ``municipality`` and ``owner`` are a code/id or ``"*"``; ``fields`` are
    field or group names. The conditions: ``phases`` (case phases; empty: every phase),
    ``purposes`` (registered processing activities; empty: any purpose, which only built-in
    rules and restrictions have), and a validity period of ISO dates (None: open).
    """

    id: str
    effect: PolicyEffect
    subject: str
    relation: str
    municipality: str
    owner: str
    fields: tuple[str, ...]
    phases: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    valid_from: str | None = None
    valid_until: str | None = None


@dataclass(frozen=True)
class AccessKey:
    """Everything a field decision depends on; decisions are cached per distinct key.

    ``phase`` is the case's phase, ``purpose`` the processing activity the request names
    (``NO_PURPOSE`` when it names none), ``day`` the request's day (ISO), ``role`` the
    partner's involvement role in the case ("" when it has none). A request meets few
    distinct keys however many cases it reads: phases, relations and owners are few.
    """

    partner: str
    kind: str
    relation: Relation
    municipality: str
    owner: str
    phase: str
    purpose: str
    day: str
    role: str = ""


@dataclass(frozen=True)
class FieldDecision:
    """One field's decision and what decided it (a policy id, a built-in rule, or the default)."""

    field: str
    allowed: bool
    decided_by: str


#: Rules that hold in every municipality; ids start with "builtin:" so explanations say so.
BUILTIN_ROWS: tuple[PolicyRow, ...] = (
    # The corporation registered the case and owns its data: it reads all of it but how the
    # household answered the municipality's offer of help (the ``ownCase`` group).
    PolicyRow("builtin:owner", PolicyEffect.GRANT, "*", Relation.OWNER, "*", "*", ("ownCase",)),
    # The landlord's early signal to the municipality (Wet gemeentelijke schuldhulpverlening,
    # art. 3 lid 4 and the Besluit gemeentelijke schuldhulpverlening): who, where, how much.
    PolicyRow(
        "builtin:statutory-early-signal",
        PolicyEffect.GRANT,
        "*",
        Relation.MUNICIPALITY,
        "*",
        "*",
        ("earlySignal",),
    ),
    # The municipality must remove and store an evicted household's goods (art. 556 lid 3 Rv)
    # and is the one who reaches out when a pickup is asked for: it reads the inventory of
    # every case in its municipality, whatever its covenant says.
    PolicyRow(
        "builtin:statutory-storage",
        PolicyEffect.GRANT,
        "*",
        Relation.MUNICIPALITY,
        "*",
        "*",
        ("inventory",),
    ),
    # The bailiff informs the municipality of the time of an eviction (art. 556 lid 3 Rv), so
    # that it can remove and store the goods and arrange shelter (the report's section 4.2):
    # the municipality reads the eviction date and the bailiff of every case in its
    # municipality, whatever its covenant says and whatever an owner restricts, and so is also
    # told of ``eviction.scheduled``. Both are empty until an eviction is scheduled, and a
    # called-off eviction's date is cleared.
    PolicyRow(
        "builtin:statutory-eviction-notice",
        PolicyEffect.GRANT,
        "*",
        Relation.MUNICIPALITY,
        "*",
        "*",
        ("evictionDate", "bailiff"),
    ),
)

DEFAULT_DENY = "default:deny"

#: The purpose of a request that names none: no grant names it, so it releases only what the
#: built-in (statutory) rules release. No registered purpose may have this id.
NO_PURPOSE = "unspecified"

#: An open end of a validity period, as the matcher compares it (ISO dates order as strings).
OPEN_FROM = "0001-01-01"
OPEN_UNTIL = "9999-12-31"

#: Stands, in an ``AccessKey``, for any municipality or owner that no policy row names: the
#: matcher compares a row's municipality and owner only with "*" and by equality, so every
#: such municipality (owner) is decided alike. No partner or municipality id has this form.
UNNAMED = "(unnamed)"


class _Enforcer(casbin.Enforcer):  # type: ignore[misc]
    """Casbin's enforcer, parsing the matcher once instead of on every decision.

    pycasbin parses the matcher expression anew on each ``enforce`` (about half of a
    decision's time here). The parsed expression is the same every time; only the functions
    (``g`` over the current role links) are fresh per call, so they are handed in anew. Not
    thread-safe (the parsed expression holds the names of the decision it evaluates): the
    engine decides under its lock. If pycasbin stops calling this hook, decisions stay the
    same and only get slower.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parsed: dict[str, Any] = {}

    def _get_expression(self, expr: str, functions: Any = None) -> Any:
        parsed = self._parsed.get(expr)
        if parsed is None:
            parsed = self._parsed[expr] = casbin.Enforcer._get_expression(expr, functions)
        else:
            parsed.functions = functions
        return parsed


def _model_from_text(text: str) -> casbin.model.Model:
    model = casbin.model.Model()
    model.load_model_from_text(text)
    return model


def casbin_rows(row: PolicyRow, vocabulary: Vocabulary) -> list[list[str]]:
    """The Casbin p rows of ``row``: one per phase x purpose x field (or group) it names."""
    if row.effect is PolicyEffect.GRANT:
        effect, names = "allow", list(row.fields)
    else:
        # A restriction names what may still be shared; Casbin gets a deny for everything
        # else, so that it can only take away what grants give and never add to it.
        effect = "deny"
        names = sorted(set(vocabulary.names) - vocabulary.expand(row.fields))
    start, end = row.valid_from or OPEN_FROM, row.valid_until or OPEN_UNTIL
    return [
        [
            row.subject,
            row.relation,
            row.municipality,
            row.owner,
            phase,
            purpose,
            start,
            end,
            name,
            effect,
            row.id,
        ]
        for phase in row.phases or ("*",)
        for purpose in row.purposes or ("*",)
        for name in names
    ]


def casbin_request(key: AccessKey, field: str) -> tuple[str, ...]:
    """The Casbin request for one field of ``key`` (``r`` of ``model.conf``)."""
    return (
        f"partner:{key.partner}",
        f"kind:{key.kind}",
        f"role:{key.role}",
        str(key.relation),
        key.municipality,
        key.owner,
        key.phase,
        key.purpose,
        key.day,
        field,
    )


class PolicyEngine:
    """Decisions for one set of policy rows (built-in rows are always added), in the words of
    ``vocabulary``.

    Immutable once built: a policy change builds a new engine, so a cached decision can never
    outlive the rows it was made from.
    """

    def __init__(self, vocabulary: Vocabulary, rows: Iterable[PolicyRow] = ()) -> None:
        self.vocabulary = vocabulary
        self.rows: tuple[PolicyRow, ...] = (*BUILTIN_ROWS, *rows)
        # Once per engine (its rows never change), not once per list request.
        self._named = (
            frozenset(r.municipality for r in self.rows) - {"*"},
            frozenset(r.owner for r in self.rows) - {"*"},
        )
        #: Whether any row names an involvement role: only then is a partner's role looked up.
        self.uses_roles = any(r.subject.startswith("role:") for r in self.rows)
        #: Every purpose some row names.
        self.purposes = frozenset(p for r in self.rows for p in r.purposes)
        self._grouping = [
            [field, group] for group, members in vocabulary.groups.items() for field in members
        ]
        self._policy = [
            casbin_row for row in self.rows for casbin_row in casbin_rows(row, vocabulary)
        ]
        self._enforcer = self._new_enforcer(self._policy)
        self._explainer: casbin.Enforcer | None = None
        self._readable: dict[AccessKey, frozenset[str]] = {}
        self._lock = threading.Lock()
        #: How many Casbin decisions this engine has taken (for benchmarks and tests).
        self.decisions_taken = 0

    def _new_enforcer(self, policy: list[list[str]]) -> casbin.Enforcer:
        enforcer = _Enforcer(str(MODEL_PATH))
        enforcer.add_named_grouping_policies("g", self._grouping)
        if policy:
            enforcer.add_named_policies("p", policy)
        return enforcer

    def _shard(self, key: AccessKey) -> casbin.Enforcer:
        # Casbin evaluates the matcher against every row, so a decision costs time in
        # proportion to all the rows of every municipality, phase and purpose. Rows that
        # cannot match this key whatever the field (the matcher requires "*" or equality for
        # subject, relation, municipality, owner, phase and purpose, and the day within the
        # period) are left out of the enforcer for this key: the same decisions, from the
        # handful of rows that could apply, and Casbin still decides them by the whole
        # matcher. One enforcer per key, used for its fields and dropped (keys are cached
        # by their answers). Callers hold the lock.
        subjects = ("*", f"partner:{key.partner}", f"kind:{key.kind}", f"role:{key.role}")
        rows = [
            r
            for r in self._policy
            if r[0] in subjects
            and r[1] in ("*", key.relation)
            and r[2] in ("*", key.municipality)
            and r[3] in ("*", key.owner)
            and r[4] in ("*", key.phase)
            and r[5] in ("*", key.purpose)
            and r[6] <= key.day <= r[7]
        ]
        return self._new_enforcer(rows)

    def with_rows(self, extra: Sequence[PolicyRow]) -> PolicyEngine:
        """A new engine with ``extra`` rows added: how a draft policy is tried before issuing."""
        return PolicyEngine(self.vocabulary, (*self.rows[len(BUILTIN_ROWS) :], *extra))

    @staticmethod
    def _request(key: AccessKey, field: str) -> tuple[str, ...]:
        return casbin_request(key, field)

    def _allowed(self, shard: casbin.Enforcer, key: AccessKey, field: str) -> bool:
        if key.relation is Relation.NONE:
            return False  # no relation: nothing, whatever the rows say
        self.decisions_taken += 1
        try:
            return bool(shard.enforce(*self._request(key, field)))
        except Exception:
            return False  # fail closed: an error in a decision denies

    def _decide(self, key: AccessKey, field: str) -> tuple[bool, str]:
        """A decision with what made it (the full enforcer: explanations are rare)."""
        if key.relation is Relation.NONE:
            return False, DEFAULT_DENY  # no relation: nothing, whatever the rows say
        self.decisions_taken += 1
        try:
            allowed, explain = self._enforcer.enforce_ex(*self._request(key, field))
        except Exception:
            return False, DEFAULT_DENY
        if not allowed:
            return False, explain[-1] if explain else DEFAULT_DENY
        return True, self._allowing_rule(key, field)

    def _allowing_rule(self, key: AccessKey, field: str) -> str:
        # With allow-and-deny effects Casbin names the deciding rule only for a deny. For an
        # allow (no deny matched), the first matching allow rule decided; an allow-only twin
        # of the model finds it. Only explanations need this, so it is built on first use.
        if self._explainer is None:
            text = MODEL_PATH.read_text().replace(
                "e = some(where (p.eft == allow)) && !some(where (p.eft == deny))",
                "e = some(where (p.eft == allow))",
            )
            explainer = _Enforcer(_model_from_text(text))
            explainer.add_named_grouping_policies("g", self._grouping)
            allows = [r for r in self._policy if r[9] == "allow"]
            if allows:
                explainer.add_named_policies("p", allows)
            self._explainer = explainer
        _, explain = self._explainer.enforce_ex(*self._request(key, field))
        return explain[-1] if explain else DEFAULT_DENY

    def readable_fields(self, key: AccessKey) -> frozenset[str]:
        """The fields ``key`` may read; decided once per key for this engine's lifetime."""
        cached = self._readable.get(key)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._readable.get(key)
            if cached is None:
                if key.relation is Relation.NONE:
                    cached = frozenset()  # no relation: nothing, whatever the rows say
                else:
                    shard = self._shard(key)
                    cached = frozenset(
                        f for f in self.vocabulary.names if self._allowed(shard, key, f)
                    )
                self._readable[key] = cached
        return cached

    def casbin_rules(self) -> tuple[list[list[str]], list[list[str]]]:
        """The p rows and g rows this engine hands Casbin: what another Casbin implementation
        needs, with ``model.conf``, to decide the same requests (``casbin_request``)."""
        return [list(r) for r in self._policy], [list(g) for g in self._grouping]

    def named(self) -> tuple[frozenset[str], frozenset[str]]:
        """The municipalities and the owners some row names (not ``"*"``). For any other
        municipality or owner, decisions are those of ``UNNAMED`` in its place: how a list asks
        in SQL for the cases whose filtered fields a partner may read, without deciding per
        case."""
        return self._named

    def explain(self, key: AccessKey) -> list[FieldDecision]:
        """Per field: allowed or not, and the policy row (or default) that decided it."""
        with self._lock:
            return [FieldDecision(f, *self._decide(key, f)) for f in self.vocabulary.names]
