"""Access policies: the Casbin model, the field vocabulary's type, and the one typed decision
API.

Nothing outside this package imports casbin. It knows nothing of GraphQL or of the registry's
models: callers hand it plain values (partner, kind, relation, municipality, owner, field) and
the vocabulary of fields, and get decisions back.
"""

from policies.decisions import (
    NO_PURPOSE,
    UNNAMED,
    AccessKey,
    FieldDecision,
    PolicyEngine,
    PolicyRow,
    Relation,
)
from policies.permissions import Permission, permits
from policies.vocabulary import FieldTerm, Vocabulary, VocabularyError

__all__ = [
    "NO_PURPOSE",
    "UNNAMED",
    "AccessKey",
    "FieldDecision",
    "FieldTerm",
    "Permission",
    "PolicyEngine",
    "PolicyRow",
    "Relation",
    "Vocabulary",
    "VocabularyError",
    "permits",
]
