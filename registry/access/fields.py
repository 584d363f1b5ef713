"""Released fields: how an aggregate declares, once, each field a policy can release.

A declaration names the policy field, says what it releases, which named groups it belongs to,
whether it is sensitive personal data, and how each view attribute it fills is read from the
row. Everything else is derived from the declarations: the policy vocabulary
(``registry.access.vocabulary``), the one release algorithm (``registry.access.disclosure``),
and which policy field a GraphQL field of a view belongs to (``policy_fields_of``). A view
attribute's GraphQL name is its camel-cased name, as strawberry names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

from policies import VocabularyError

#: The row a declaration reads: a case, an agreement, a stored inventory.
Row = TypeVar("Row")
#: What a reader needs besides the row: nothing for a case, the indexes of its audit-log
#: entries for an agreement, the request's day too for an inventory.
Extra = TypeVar("Extra")

#: Reads one view attribute from a row (and what else its aggregate hands readers).
Reader: TypeAlias = Callable[[Row, Extra], Any]


class FieldGroup(StrEnum):
    """The named groups a declaration may put its field in.

    The vocabulary composes these with the groups no field declares itself: ``all``,
    ``ownCase``, ``annotations``, ``agreement`` and ``inventory`` (``registry.access.vocabulary``).
    """

    IDENTITY = "identity"  # identity and contact details: personal data, released least
    EARLY_SIGNAL = "earlySignal"  # what the statutory early signal passes on (with identity)
    HOME_VISIT = "homeVisit"  # what a home visitor needs (with every annotation kind)
    EVICTION = "eviction"  # the judgment, the date, the bailiff, the day itself
    AFTERCARE = "aftercare"  # where the household went after the eviction, and who helped
    AGREEMENT_TERMS = "agreementTerms"  # what a party needs to sign and keep an agreement
    SECOND_CHANCE = "secondChance"  # what Bureau Woonkans weighs for a second chance


def camel(attribute: str) -> str:
    """The GraphQL name of a view attribute (``volume_m3`` -> ``volumeM3``), as strawberry
    spells it."""
    head, *rest = attribute.split("_")
    return head + "".join(part.capitalize() for part in rest)


def snake(name: str) -> str:
    """The view attribute of a GraphQL name (``arrearsAmount`` -> ``arrears_amount``)."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


@dataclass(frozen=True, eq=False)
class ReleasedField(Generic[Row, Extra]):
    """One field a policy can release: its policy name, what it releases (in English and, as
    ``description_nl``, in Dutch), its groups, whether it is sensitive, and per view attribute
    it fills, how that is read from the row.

    The Dutch description is a required keyword: no field can be declared without one.

    A field with no attributes is released by a rule of its own (an annotation kind).
    """

    name: str
    description: str
    reads: Mapping[str, Reader[Row, Extra]]
    groups: frozenset[FieldGroup] = frozenset()
    sensitive: bool = False
    #: What the field releases, in Dutch, as a municipality's policy officer reads it.
    description_nl: str = field(kw_only=True)


def attribute(
    name: str,
    description: str,
    read: Reader[Row, Extra],
    *,
    groups: Iterable[FieldGroup] = (),
    sensitive: bool = False,
    description_nl: str,
) -> ReleasedField[Row, Extra]:
    """A field that fills the one view attribute of its own name (``arrearsAmount`` fills
    ``arrears_amount``)."""
    return ReleasedField(
        name,
        description,
        {snake(name): read},
        frozenset(groups),
        sensitive,
        description_nl=description_nl,
    )


class ReleasedFields(Generic[Row, Extra]):
    """One aggregate's released fields, in declaration order."""

    def __init__(self, *fields: ReleasedField[Row, Extra]) -> None:
        self.fields: dict[str, ReleasedField[Row, Extra]] = {}
        #: Each view attribute -> the policy field that fills it.
        self.field_of_attribute: dict[str, str] = {}
        for declared in fields:
            if declared.name in self.fields:
                raise VocabularyError(f"field {declared.name!r} is declared twice")
            self.fields[declared.name] = declared
            for attr in declared.reads:
                if attr in self.field_of_attribute:
                    raise VocabularyError(f"view attribute {attr!r} is filled twice")
                self.field_of_attribute[attr] = declared.name
        self.names = frozenset(self.fields)
        #: Each GraphQL field of the view -> the policy field that releases it.
        self.field_of_graphql_name = {camel(a): f for a, f in self.field_of_attribute.items()}
        #: Every view attribute, unreleased: what a view holds before its fields are read.
        self.blank: dict[str, Any] = dict.fromkeys(self.field_of_attribute)

    def __iter__(self) -> Iterator[ReleasedField[Row, Extra]]:
        return iter(self.fields.values())

    def readers(self, names: Iterable[str]) -> tuple[tuple[str, Reader[Row, Extra]], ...]:
        """Each view attribute of the fields ``names``, and how it is read."""
        return tuple(
            (attr, read) for name in names for attr, read in self.fields[name].reads.items()
        )

    def policy_fields_of(self, graphql_names: Iterable[str]) -> frozenset[str]:
        """The policy fields behind these GraphQL fields of a view (others are ignored)."""
        field_of = self.field_of_graphql_name
        return frozenset(field_of[n] for n in graphql_names if n in field_of)


def in_group(fields: Iterable[ReleasedField[Any, Any]], group: FieldGroup) -> frozenset[str]:
    """The names of the ``fields`` declared in ``group``."""
    return frozenset(f.name for f in fields if group in f.groups)


class ReleasedView:
    """A row as released to one partner: its ``id``, ``withheld`` (the policy fields the
    policies do not release to it) and one attribute per view attribute its aggregate
    declares, None where withheld or not asked for.

    No field is listed here: the attributes come from the declarations (``ReleasedFields``),
    and the GraphQL types read them by name.
    """

    id: str
    withheld: list[str]

    def __init__(self, id: str, withheld: list[str], values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)
        self.id = id
        self.withheld = withheld

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__!r})"

    if TYPE_CHECKING:
        # The released attributes are declared per aggregate, so the type checker cannot
        # know them here.
        def __getattr__(self, name: str) -> Any: ...
