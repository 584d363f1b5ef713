"""``POST /exports/household-access-report.pdf``: the household's access report as a PDF file.

The same report as ``householdAccessReport`` in GraphQL (``registry.privacy.household``): the
route runs that one fixed document for the partner its token names, through the /graphql
endpoint's own execution (authentication, rate limit, request slot, disclosure, access log),
and answers the PDF bytes, or the JSON error body with a matching HTTP status. The household's
name and address travel in the body, never in a URL that proxies and server logs keep.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry import tracing
from registry.web import request_body
from registry.web.endpoint import GraphQLEndpoint
from registry.web.exchange import GraphQLRequest

PATH = "/exports/household-access-report.pdf"
OPERATION = "HouseholdAccessReportPdf"
DOCUMENT = f"""query {OPERATION}($name: String!, $postalCode: String!, $houseNumber: Int!,
  $houseNumberAddition: String) {{ householdAccessReport(name: $name, postalCode: $postalCode,
  houseNumber: $houseNumber, houseNumberAddition: $houseNumberAddition) {{ pdfBase64 }} }}"""
#: The body's members: the document's variables.
PARAMETERS = frozenset({"name", "postalCode", "houseNumber", "houseNumberAddition"})
#: HTTP status of an answer whose first error has this code (other errors: 400).
_STATUS = {"NOT_FOUND": 404, "NOT_ALLOWED": 403, "UNAUTHENTICATED": 401}


class Exports:
    """The export routes, executed by ``endpoint``."""

    def __init__(self, endpoint: GraphQLEndpoint) -> None:
        self.endpoint = endpoint

    async def household_access_report_pdf(self, request: Request) -> Response:
        """POST: the PDF for the household the JSON body names."""
        with tracing.span(f"POST {PATH}", request.headers.get("traceparent")) as trace:
            headers = {"traceparent": trace.traceparent, "Cache-Control": "no-store"}
            refuse = self.endpoint.error_body
            try:
                variables = await request_body.read_object(request, self.endpoint.max_body_bytes)
            except request_body.BadBodyError as exc:
                return JSONResponse(refuse("BAD_REQUEST", exc.message), exc.status, headers)
            unknown = set(variables) - PARAMETERS
            if unknown:
                message = f"unknown members {sorted(unknown)}; expected {sorted(PARAMETERS)}"
                return JSONResponse(refuse("BAD_REQUEST", message), 400, headers)
            answer = await self.endpoint.run(
                GraphQLRequest(
                    request.headers.get("authorization"), DOCUMENT, variables, OPERATION, trace
                ),
                headers,
            )
            if isinstance(answer, Response):
                return answer
            return _response(answer.status, answer.payload, headers)


def _response(status: int, payload: dict[str, Any], headers: dict[str, str]) -> Response:
    errors = payload.get("errors")
    if status != 200 or errors:
        code = (errors or [{}])[0].get("extensions", {}).get("code", "")
        return JSONResponse(payload, status if status != 200 else _STATUS.get(code, 400), headers)
    pdf = base64.b64decode(payload["data"]["householdAccessReport"]["pdfBase64"])
    disposition = 'attachment; filename="inzageverslag.pdf"'
    return Response(
        pdf, media_type="application/pdf", headers={**headers, "Content-Disposition": disposition}
    )
