"""The console's HTTP plumbing: sessions from the cookie, CSRF on every form, role checks,
rendering and security headers. Pages (``pages``, ``policy_pages``, ``staff_pages``) are plain
functions of a ``PageRequest`` that run in a worker thread.

Cookies: the session cookie is HttpOnly, SameSite=Strict, path ``/console``, and Secure
unless the deployment says otherwise (the demo on plain http). Every POST carries the
session's CSRF token (a form field, or the ``X-CSRF-Token`` header for the console's GraphQL
endpoint); the login form, before any session, a double-submit token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from registry.access import purposes as processing_purposes
from registry.console import i18n
from registry.console.acting import ROLE_NAMES, Acting, Operations, RunGraphQL
from registry.models import StaffRole
from registry.staff import sessions as staff_sessions
from registry.staff.oidc import Provider

SESSION_COOKIE = "kr_console"
LOGIN_CSRF_COOKIE = "kr_console_login"
LANGUAGE_COOKIE = "kr_console_lang"
PREFIX = "/console"
TEMPLATES = Path(__file__).parent / "templates"
#: Everything the pages load comes from the registry itself; no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

Clock = Callable[[], dt.datetime]


@dataclass
class PageRequest:
    """One console request as a page handler sees it."""

    acting: Acting
    ops: Operations
    sessions: sessionmaker[Session]
    now: dt.datetime
    language: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    form: dict[str, list[str]] = field(default_factory=dict)

    def field(self, name: str, default: str = "") -> str:
        """A form field's (first) value, stripped."""
        values = self.form.get(name)
        return values[0].strip() if values else default

    def fields(self, name: str) -> list[str]:
        """Every value a form sent for ``name`` (checkboxes, multiple selects)."""
        return [v.strip() for v in self.form.get(name, []) if v.strip()]


Handler = Callable[[PageRequest], Response]


@dataclass(frozen=True)
class Page:
    """A page's handler, which roles may open it (None: every role), and its methods."""

    handler: Handler
    roles: frozenset[StaffRole] | None = None


class Console:
    """The console of one registry: its templates, sessions and GraphQL execution."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        run_graphql: RunGraphQL,
        secure_cookie: bool,
        providers: Mapping[str, Provider] | None = None,
    ) -> None:
        self.sessions = sessions
        #: Identity providers for single sign-on, by name (none: password login only).
        self.providers: Mapping[str, Provider] = providers or {}
        self.clock = clock
        self.run_graphql = run_graphql
        self.secure_cookie = secure_cookie
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    # -- rendering -------------------------------------------------------------------------

    def render(
        self,
        template: str,
        language: str,
        status: int = 200,
        acting: Acting | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """A page from ``template`` in ``language``, with the security headers."""
        html = self.templates.get_template(template).render(
            _=i18n.translator(language),
            lang=language,
            acting=acting,
            role_names=ROLE_NAMES,
            purposes=self.purposes(),
            roles=StaffRole,
            prefix=PREFIX,
            **context,
        )
        return HTMLResponse(html, status, headers=SECURITY_HEADERS)

    def purposes(self) -> dict[str, str]:
        """The processing purposes a session may be opened for: those registered in the
        municipalities (a grant releases data only for a registered purpose it names)."""
        with self.sessions() as session:
            return processing_purposes.registered(session)

    def language(self, request: Request) -> str:
        """The language the browser chose (cookie), Dutch by default."""
        return i18n.pick(request.cookies.get(LANGUAGE_COOKIE))

    # -- sessions ----------------------------------------------------------------------------

    def _acting(self, token: str | None) -> Acting | None:
        with self.sessions.begin() as session:
            row = staff_sessions.find_session(session, token, self.clock())
            return None if row is None else Acting.of(row)

    async def acting(self, request: Request) -> Acting | None:
        """The staff member of the request's live session, or None."""
        return await run_in_threadpool(self._acting, request.cookies.get(SESSION_COOKIE))

    def set_session_cookie(self, response: Response, token: str) -> None:
        """Give the browser its session (HttpOnly, SameSite=Strict, Secure as configured)."""
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(staff_sessions.ABSOLUTE_TIMEOUT.total_seconds()),
            path=PREFIX,
            secure=self.secure_cookie,
            httponly=True,
            samesite="strict",
        )

    def login_csrf(self, response: Response, token: str) -> None:
        """The login form's double-submit token, as a cookie beside the form's field."""
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            path=PREFIX,
            secure=self.secure_cookie,
            httponly=True,
            samesite="strict",
        )

    # -- pages -------------------------------------------------------------------------------

    def refused(
        self, language: str, acting: Acting | None, status: int, title: str, text: str
    ) -> HTMLResponse:
        """An error page (no detail of how the registry is built)."""
        return self.render("error.html", language, status, acting, title=title, text=text)

    def endpoint(self, page: Page) -> Callable[[Request], Any]:
        """The Starlette endpoint of a page: session, CSRF and role checked before it runs."""

        async def endpoint(request: Request) -> Response:
            language = self.language(request)
            acting = await self.acting(request)
            if acting is None:
                target = quote(request.url.path, safe="/")
                return RedirectResponse(f"{PREFIX}/login?next={target}", 303)
            form: dict[str, list[str]] = {}
            if request.method == "POST":
                async with request.form() as data:
                    for key, value in data.multi_items():
                        if isinstance(value, str):
                            form.setdefault(key, []).append(value)
                sent = form.get("csrf", [""])[0]
                if not csrf_ok(acting.csrf_token, sent):
                    _ = i18n.translator(language)
                    return self.refused(
                        language,
                        acting,
                        403,
                        _("Niet toegestaan"),
                        _(i18n.FORM_REFUSED),
                    )
            if page.roles is not None and acting.role not in page.roles:
                _ = i18n.translator(language)
                return self.refused(
                    language,
                    acting,
                    403,
                    _("Niet toegestaan"),
                    _("Deze pagina is niet voor uw rol."),
                )
            page_request = PageRequest(
                acting=acting,
                ops=Operations(self.run_graphql, acting),
                sessions=self.sessions,
                now=self.clock(),
                language=language,
                path_params=dict(request.path_params),
                query=dict(request.query_params),
                form=form,
            )
            return await run_in_threadpool(page.handler, page_request)

        return endpoint


def csrf_ok(expected: str, sent: str | None) -> bool:
    """Whether a form or header carried the expected CSRF token (constant-time)."""
    return bool(sent) and secrets.compare_digest(expected, sent or "")


def new_csrf() -> str:
    """A fresh random token (login form)."""
    return secrets.token_urlsafe(32)


def roles(*names: StaffRole) -> frozenset[StaffRole]:
    """The roles a page is for."""
    return frozenset(names)


def redirect(path: str, done: bool = True) -> RedirectResponse:
    """After a successful POST: back to a page (303, so a reload does not post again)."""
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{PREFIX}{path}{separator}done=1" if done else f"{PREFIX}{path}", 303)
