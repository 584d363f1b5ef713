"""The vocabulary the engine is handed: fields in order, groups of known fields only."""

from __future__ import annotations

import pytest

from policies import FieldTerm, PolicyEngine, PolicyRow, Relation, Vocabulary
from policies import VocabularyError as Error
from policies.decisions import PolicyEffect
from tests.helpers import access_key

TERMS = (
    FieldTerm("phase", "the phase", "de fase"),
    FieldTerm("contactName", "the name", "de naam", sensitive=True),
)


def test_groups_expand_to_their_fields_and_fields_to_themselves() -> None:
    vocabulary = Vocabulary(TERMS, {"identity": ["contactName"]})
    assert vocabulary.names == ("phase", "contactName")
    assert vocabulary.expand(["identity", "phase"]) == {"phase", "contactName"}
    assert vocabulary.is_known("identity") and vocabulary.is_known("phase")
    assert not vocabulary.is_known("bailiff")
    with pytest.raises(KeyError, match="bailiff"):
        vocabulary.expand(["bailiff"])


def test_a_field_declared_twice_is_refused() -> None:
    with pytest.raises(Error, match="field 'phase' is declared twice"):
        Vocabulary((*TERMS, FieldTerm("phase", "again", "nogmaals")), {})


def test_a_group_of_unknown_fields_is_refused() -> None:
    with pytest.raises(Error, match=r"group 'eviction' names unknown fields: \['bailiff'\]"):
        Vocabulary(TERMS, {"eviction": ["phase", "bailiff"]})


def test_a_group_named_like_a_field_is_refused() -> None:
    with pytest.raises(Error, match="group 'phase' has the name of a field"):
        Vocabulary(TERMS, {"phase": ["phase"]})


def test_the_engine_decides_in_its_vocabulary_only() -> None:
    # A grant of a group the engine's vocabulary defines releases its members, and nothing is
    # decided of a field the vocabulary does not hold.
    vocabulary = Vocabulary(TERMS, {"identity": ["contactName"], "ownCase": ["phase"]})
    grant = PolicyRow("p", PolicyEffect.GRANT, "kind:welfare", "involved", "*", "*", ("identity",))
    engine = PolicyEngine(vocabulary, [grant])
    key = access_key("w", "welfare", Relation.INVOLVED, "groningen", "zowonen")
    assert engine.readable_fields(key) == {"contactName"}
    assert [d.field for d in engine.explain(key)] == ["phase", "contactName"]
