"""The body of a GraphQL request over HTTP, read and checked before anything else runs:
bounded in size and in nesting, one operation as a JSON object, and its parts of the right
types. Every refusal is a ``BadBodyError`` that names the HTTP status and what was wrong."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

#: How deeply a request body may nest (arrays and objects): a GraphQL request's variables need
#: a handful of levels; deeper ones only exhaust the parser's and the coercion's recursion.
MAX_BODY_DEPTH = 32


class BadBodyError(Exception):
    """The body is refused: ``status`` (400 or 413) and a message for the partner."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class GraphQLBody:
    """What a valid body asks: one document, its variables, the operation to run."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


async def read(request: Request, max_bytes: int) -> GraphQLBody:
    """Read and check the body of ``request`` (``BadBodyError`` when it is refused)."""
    document = _json_document(await _bytes(request, max_bytes))
    if isinstance(document, list):
        raise BadBodyError(
            400, "batched requests are not supported: send one operation per request"
        )
    if not isinstance(document, dict) or not isinstance(document.get("query"), str):
        raise BadBodyError(400, "expected a JSON object with a 'query' string")
    variables = document.get("variables")
    operation_name = document.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        raise BadBodyError(400, "variables must be an object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadBodyError(400, "operationName must be a string")
    return GraphQLBody(document["query"], variables, operation_name)


async def read_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """Read a body that must be one JSON object (an export's parameters), checked as above."""
    document = _json_document(await _bytes(request, max_bytes))
    if not isinstance(document, dict):
        raise BadBodyError(400, "expected a JSON object")
    return document


async def _bytes(request: Request, limit: int) -> bytes:
    too_large = BadBodyError(413, f"request body over {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _json_document(body: bytes) -> Any:
    """The body as JSON, refused when it nests deeper than MAX_BODY_DEPTH.

    The C parser stops a runaway nesting itself with ``RecursionError`` (a 2 KB body of a
    thousand ``[``), which must not escape as a 500; what it does parse is measured without
    recursion, so nothing deep reaches the recursive GraphQL coercion either.
    """
    too_deep = BadBodyError(400, f"request body nested deeper than {MAX_BODY_DEPTH} levels")
    try:
        document = json.loads(body)
    except RecursionError:
        raise too_deep from None
    except (ValueError, UnicodeDecodeError):
        raise BadBodyError(400, "body is not JSON") from None
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_BODY_DEPTH:
                raise too_deep
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return document
