"""The one place where errors become GraphQL errors with ``extensions.code``.

Expected errors (the registry's ``RegistryError`` hierarchy, and GraphQL's own validation and
input-coercion errors) keep their message. Anything else is masked: the caller gets a fixed
message, the server log gets the traceback. No SQL, path or traceback reaches a response.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError

from registry.errors import RegistryError

log = logging.getLogger(__name__)

MASKED = "Internal server error"
_COERCION_HINTS = (
    "got invalid value",
    "Expected value of type",
    "cannot represent",
    "Expected type",
    "does not exist in",
    "has invalid value",
)


def error_code(error: GraphQLError) -> str:
    """The ``extensions.code`` of an error."""
    original = error.original_error
    if isinstance(original, RegistryError):
        return original.code
    # No path: the error arose before execution (parsing, validation, input coercion), in
    # graphql-core's own checks of the document and variables, never in our code; and
    # coercing a variable (an unknown enum value, say) wraps GraphQL's own error.
    if original is None or not error.path or isinstance(original, GraphQLError):
        if any(hint in error.message for hint in _COERCION_HINTS):
            return "INVALID_INPUT"
        return "BAD_REQUEST"
    return "INTERNAL_ERROR"


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The JSON form of ``error`` as a partner sees it."""
    code = error_code(error)
    if code == "INTERNAL_ERROR":
        log.error("unexpected error in %s", error.path, exc_info=error.original_error)
        message = MASKED
    elif isinstance(error.original_error, RegistryError):
        message = error.original_error.message
    else:
        message = error.message
    formatted: dict[str, Any] = {"message": message, "extensions": {"code": code}}
    if error.path:
        formatted["path"] = list(error.path)
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    return formatted


def error_response(code: str, message: str) -> dict[str, Any]:
    """A response body with one error and no data (for refusals before GraphQL runs)."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
