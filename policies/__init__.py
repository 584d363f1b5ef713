"""Access policies: the Casbin model, the field vocabulary, and the one typed decision API.

Nothing outside this package imports casbin. It knows nothing of GraphQL or of the registry's
models: callers hand it plain values (partner, kind, relation, municipality, owner, field) and
get decisions back.
"""

from policies.decisions import AccessKey, FieldDecision, PolicyEngine, PolicyRow, Relation
from policies.fields import (
    FIELD_GROUPS,
    FIELDS,
    expand_fields,
    is_known_field,
)
from policies.permissions import Permission, permits

__all__ = [
    "FIELDS",
    "FIELD_GROUPS",
    "AccessKey",
    "FieldDecision",
    "Permission",
    "PolicyEngine",
    "PolicyRow",
    "Relation",
    "expand_fields",
    "is_known_field",
    "permits",
]
