"""The vocabulary of access policies: every field a policy can release, and named groups.

Field names are the GraphQL field names, so a policy, a ``withheld`` list, an explanation and an
access-log record all speak of a field the same way. This package does not own the words: the
registry declares each field with its aggregate and hands the assembled ``Vocabulary`` to the
``PolicyEngine``. A field that is not in the vocabulary can never be released (default deny).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldTerm:
    """A field a policy can name: its name, what it releases (in English, and in Dutch as
    ``description_nl``), and whether that is sensitive personal data (identity, contact
    details, the household's answers to offers of help)."""

    name: str
    description: str
    description_nl: str
    sensitive: bool = False


class VocabularyError(ValueError):
    """A vocabulary that contradicts itself: a name twice, or a group of unknown fields."""


class Vocabulary:
    """The fields policies may name, in a fixed order, and the groups that stand for several.

    Immutable once built; the order of ``names`` is the order decisions and explanations list
    fields in.
    """

    def __init__(self, fields: Iterable[FieldTerm], groups: Mapping[str, Iterable[str]]) -> None:
        terms: dict[str, FieldTerm] = {}
        for term in fields:
            if term.name in terms:
                raise VocabularyError(f"field {term.name!r} is declared twice")
            terms[term.name] = term
        members = {group: frozenset(names) for group, names in groups.items()}
        for group, names in members.items():
            if group in terms:
                raise VocabularyError(f"group {group!r} has the name of a field")
            unknown = sorted(names - terms.keys())
            if unknown:
                raise VocabularyError(f"group {group!r} names unknown fields: {unknown}")
        self.fields: Mapping[str, FieldTerm] = terms
        self.groups: Mapping[str, frozenset[str]] = members
        #: Every field name, in declaration order.
        self.names: tuple[str, ...] = tuple(terms)

    def is_known(self, name: str) -> bool:
        """Whether ``name`` is a field or a field group that policies may name."""
        return name in self.fields or name in self.groups

    def expand(self, names: Iterable[str]) -> frozenset[str]:
        """The fields that ``names`` (fields and groups) stand for; unknown names raise KeyError."""
        fields: set[str] = set()
        for name in names:
            if name in self.groups:
                fields |= self.groups[name]
            elif name in self.fields:
                fields.add(name)
            else:
                raise KeyError(name)
        return frozenset(fields)
