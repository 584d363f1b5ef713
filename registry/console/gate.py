"""Logging in and out, the language switch, and the console's session-authenticated GraphQL
endpoint (what GraphiQL in the console talks to)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from registry.console import i18n
from registry.console.acting import Acting
from registry.console.web import (
    LANGUAGE_COOKIE,
    LOGIN_CSRF_COOKIE,
    PREFIX,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    Console,
    csrf_ok,
    new_csrf,
)
from registry.staff import login as staff_login
from registry.staff import sessions

#: The largest GraphQL body the console endpoint reads (as /graphql's default).
MAX_BODY = 64 * 1024


def safe_next(target: str | None) -> str:
    """Where to go after login: a console path only (no open redirect)."""
    if not target:
        return f"{PREFIX}/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"{PREFIX}/"):
        return f"{PREFIX}/"
    return parts.path


class Gate:
    """Login, logout, language and GraphQL for the console."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def _login_form(
        self, request: Request, error: str | None = None, status: int = 200
    ) -> Response:
        language = self.console.language(request)
        token = new_csrf()
        response = self.console.render(
            "login.html",
            language,
            status,
            csrf=token,
            error=error,
            next=safe_next(request.query_params.get("next")),
            expired=request.query_params.get("expired") == "1",
            providers=list(self.console.providers.values()),
        )
        self.console.login_csrf(response, token)
        return response

    async def login_page(self, request: Request) -> Response:
        """GET /console/login."""
        return self._login_form(request)

    async def login(self, request: Request) -> Response:
        """POST /console/login: password (and code), then a new session."""
        language = self.console.language(request)
        _ = i18n.translator(language)
        async with request.form() as form:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE, ""), fields.get("csrf")):
            return self.console.refused(
                language,
                None,
                403,
                _("Niet toegestaan"),
                _(i18n.FORM_REFUSED),
            )
        registered = await run_in_threadpool(self.console.purposes)
        purpose = fields.get("purpose", "")
        if purpose not in registered:  # none chosen, or not (or no longer) registered
            purpose = next(iter(registered), "")
        outcome = await run_in_threadpool(
            self._log_in,
            fields.get("username", ""),
            fields.get("password", ""),
            fields.get("code") or None,
            purpose,
        )
        if isinstance(outcome, staff_login.LoginRefusedError):
            message = (
                _(i18n.LOCKED_OUT)
                if outcome.locked
                else _("Verkeerde gebruikersnaam, wachtwoord of code.")
            )
            return self._login_form(request, message, 401)
        response = RedirectResponse(safe_next(fields.get("next")), 303)
        self.console.set_session_cookie(response, outcome)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
        return response

    def _log_in(
        self, username: str, password: str, code: str | None, purpose: str
    ) -> str | staff_login.LoginRefusedError:
        now = self.console.clock()
        with self.console.sessions() as session:
            try:
                member = staff_login.log_in(session, username, password, code, now)
            except staff_login.LoginRefusedError as exc:
                session.commit()  # the failure counts (lock-out) even though it is refused
                return exc
            opened = sessions.open_session(session, member, purpose, now)
            session.commit()
            return opened.token

    async def logout(self, request: Request) -> Response:
        """POST /console/logout (with the CSRF token): the session ends server-side."""
        async with request.form() as form:
            sent = form.get("csrf")
        token = request.cookies.get(SESSION_COOKIE)
        await run_in_threadpool(self._log_out, token, sent if isinstance(sent, str) else None)
        response = RedirectResponse(f"{PREFIX}/login", 303)
        response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response

    def _log_out(self, token: str | None, sent: str | None) -> None:
        now = self.console.clock()
        with self.console.sessions.begin() as session:
            row = sessions.find_session(session, token, now)
            if row is not None and csrf_ok(row.csrf_token, sent):
                sessions.end_session(session, row, now)

    async def language(self, request: Request) -> Response:
        """GET /console/taal?lang=en&next=...: remember the language in a cookie."""
        chosen = i18n.pick(request.query_params.get("lang"))
        response = RedirectResponse(safe_next(request.query_params.get("next")), 303)
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            path=PREFIX,
            secure=self.console.secure_cookie,
            samesite="strict",
        )
        return response

    async def graphql(self, request: Request) -> Response:
        """POST /console/graphql: GraphQL as the session's organisation, with the session's
        CSRF token in ``X-CSRF-Token``; the same execution as /graphql."""
        acting = await self.console.acting(request)
        if acting is None:
            return _json_error(401, "UNAUTHENTICATED", "no console session; log in again")
        if not csrf_ok(acting.csrf_token, request.headers.get("x-csrf-token")):
            return _json_error(403, "NOT_ALLOWED", "missing or wrong X-CSRF-Token")
        body = await request.body()
        if len(body) > MAX_BODY:
            return _json_error(413, "BAD_REQUEST", "request body too large")
        try:
            document = json.loads(body)
            query = document["query"]
            variables = document.get("variables")
            name = document.get("operationName")
            if not isinstance(query, str) or not isinstance(variables, dict | None):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            return _json_error(400, "BAD_REQUEST", "body must be JSON with a 'query' string")
        answer = await run_in_threadpool(self._execute, acting, request, query, variables, name)
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    def _execute(
        self,
        acting: Acting,
        request: Request,
        query: str,
        variables: dict[str, Any] | None,
        name: str | None,
    ) -> dict[str, Any]:
        principal = acting.principal(request.headers.get("traceparent"))
        return self.console.run_graphql(principal, query, variables, name)


def _json_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status,
        headers=SECURITY_HEADERS,
    )
