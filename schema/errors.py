"""The one place where errors become GraphQL errors with ``extensions.code``.

Expected errors (the registry's ``RegistryError`` hierarchy, and GraphQL's own validation and
input-coercion errors) keep their message. Anything else is masked: the caller gets a fixed
message, the server log gets the traceback. No SQL, path or traceback reaches a response.
When the schema is not public (introspection off), GraphQL's own messages are also concealed:
no "Did you mean" suggestion, no name of the schema's types (``conceal``).

An error's code follows from where it arose, never from its text:

- the registry's own errors carry their class (``RegistryError.code``);
- a value the caller sent that its type refuses is ``INVALID_INPUT``: graphql-core wraps the
  type's own refusal (a ``GraphQLError`` as ``original_error``) when it coerces a variable,
  before the operation runs, or a field's arguments while it runs; and the validation rule
  for values written in the document marks its refusals (``mark_invalid_input``);
- anything else graphql-core refuses before the operation runs (parsing, validation, no path)
  is ``BAD_REQUEST``;
- an exception raised while resolving a field is unexpected: ``INTERNAL_ERROR``, masked.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from graphql import GraphQLError, GraphQLSchema, is_introspection_type, is_specified_scalar_type

from registry.errors import RegistryError

log = logging.getLogger(__name__)

MASKED = "Internal server error"
INVALID_INPUT = "INVALID_INPUT"


def mark_invalid_input(error: GraphQLError) -> GraphQLError:
    """``error``, marked as the refusal of a value the caller sent (for the checks that know
    it when they report it)."""
    error.extensions = {**(error.extensions or {}), "code": INVALID_INPUT}
    return error


def error_code(error: GraphQLError) -> str:
    """The ``extensions.code`` of an error, by where it arose."""
    original = error.original_error
    if isinstance(original, RegistryError):
        return original.code
    marked = (error.extensions or {}).get("code")
    if isinstance(marked, str):
        return marked
    if isinstance(original, GraphQLError):
        # graphql-core coerced a variable or a field's arguments, and the type refused it.
        return INVALID_INPUT
    if original is None or not error.path:
        # graphql-core's own checks of the document before it runs, never our code.
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


# graphql-core appends a suggestion as one sentence: " Did you mean 'x', 'y' or 'z'?" (or
# "the enum value 'X'"); names never hold a "?". Anything after it (a "Found: ..." echo of
# the caller's own input) stays.
_SUGGESTION = re.compile(r"\s*Did you mean\b[^?]*(\?|$)")
_QUOTED = re.compile(r"'([^'\s]*)'")
HIDDEN = "(hidden)"


@functools.cache
def own_type_names(schema: GraphQLSchema) -> frozenset[str]:
    """The names of the schema's own types (not GraphQL's built-in scalars or introspection)."""
    return frozenset(
        name
        for name, named in schema.type_map.items()
        if not is_introspection_type(named) and not is_specified_scalar_type(named)
    )


def conceal(message: str, type_names: frozenset[str]) -> str:
    """``message`` of GraphQL's own without suggestions and without the names of ``type_names``,
    for when the schema is not public (introspection off).

    A quoted type reference (``'Phase'``, ``'[Reason!]!'``) becomes ``(hidden)``; a quoted
    coordinate loses its type (``'Query.cases'`` becomes ``'cases'``). Reading the finished
    text catches every rule and coercion step that names a type, including ones graphql-core
    adds later, which replacing rules one by one would not.
    """

    def hide(quoted: re.Match[str]) -> str:
        text = quoted.group(1)
        if text.strip("[]!") in type_names:
            return HIDDEN
        owner, dot, member = text.partition(".")
        if dot and owner in type_names:
            return f"'{member}'"
        return quoted.group(0)

    return _QUOTED.sub(hide, _SUGGESTION.sub("", message))


def error_response(code: str, message: str) -> dict[str, Any]:
    """A response body with one error and no data (for refusals before GraphQL runs)."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
