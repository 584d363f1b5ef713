"""Single sign-on in the console: the login page's button sends the browser to its
organisation's identity provider (``POST /console/sso/<provider>``), which sends it back to
``GET /console/sso/terug``; a verified identity of a linked account then gets the same
server-side session as a password login (timeouts, CSRF token, the purpose chosen on the
login page).

Both steps answer with a page that moves on by itself, not a redirect: the console's CSP lets
forms post to the console only (and browsers apply that to the redirects that follow), and a
redirect chain that started on the provider's site would not carry the session cookie
(SameSite=Strict), where a navigation started by the console's own page does. For the same
reason the cookie of the login under way is SameSite=Lax: it must come back with the
provider's redirect.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from registry.console import i18n
from registry.console.gate import safe_next
from registry.console.web import LOGIN_CSRF_COOKIE, PREFIX, Console, csrf_ok
from registry.staff import oidc, sessions, sso

SSO_COOKIE = "kr_console_sso"
CALLBACK = f"{PREFIX}/sso/terug"
FAILED = "Inloggen via de identiteitsprovider is mislukt. Probeer het opnieuw."
NO_ACCOUNT = (
    "Aan deze identiteit is bij deze organisatie geen console-account gekoppeld. "
    "Vraag de beheerder van uw organisatie om een account."
)
UNREACHABLE = "De identiteitsprovider is nu niet bereikbaar. Probeer het later opnieuw."

_log = logging.getLogger(__name__)


class SsoGate:
    """The console's single sign-on routes."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def _callback_url(self, request: Request) -> str:
        return str(request.url.replace(path=CALLBACK, query=""))

    def _refused(self, request: Request, status: int, text: str) -> Response:
        language = self.console.language(request)
        _ = i18n.translator(language)
        response = self.console.refused(language, None, status, _("Niet toegestaan"), _(text))
        response.delete_cookie(SSO_COOKIE, path=f"{PREFIX}/sso")
        return response

    async def start(self, request: Request) -> Response:
        """POST /console/sso/<provider> from the login form (its CSRF token and purpose)."""
        provider = self.console.providers.get(request.path_params["provider"])
        async with request.form() as form:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if provider is None:
            return self._refused(request, 404, "Niet gevonden")
        if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE, ""), fields.get("csrf")):
            return self._refused(request, 403, i18n.FORM_REFUSED)
        registered = await run_in_threadpool(self.console.purposes)
        purpose = fields.get("purpose", "")
        if purpose not in registered:  # as the password login: a registered purpose only
            purpose = next(iter(registered), "")
        try:
            asked = await run_in_threadpool(
                oidc.authorization_request, provider, self._callback_url(request)
            )
        except oidc.OidcError as exc:
            _log.warning("sso: provider %s unreachable: %s", provider.name, exc)
            return self._refused(request, 502, UNREACHABLE)
        next_path = safe_next(fields.get("next"))
        if len(next_path) > 255:  # kept in a column of that size; the home page will do
            next_path = f"{PREFIX}/"
        token = await run_in_threadpool(self._start, provider.name, asked, purpose, next_path)
        # A page that moves on, not a redirect: the console's CSP allows forms to post to
        # itself only ("form-action 'self'"), and browsers hold a form's redirects to it.
        response = self.console.render(
            "continue.html",
            self.console.language(request),
            target=asked.url,
            heading="Doorsturen naar uw organisatie",
            link="Verder naar het inloggen bij uw organisatie",
        )
        response.set_cookie(
            SSO_COOKIE,
            token,
            max_age=int(sso.PENDING_FOR.total_seconds()),
            path=f"{PREFIX}/sso",
            secure=self.console.secure_cookie,
            httponly=True,
            samesite="lax",
        )
        return response

    def _start(
        self, provider: str, asked: oidc.AuthorizationRequest, purpose: str, next_path: str
    ) -> str:
        with self.console.sessions.begin() as session:
            return sso.start(
                session,
                provider,
                asked.state,
                asked.nonce,
                asked.code_verifier,
                purpose,
                next_path,
                self.console.clock(),
            )

    async def callback(self, request: Request) -> Response:
        """GET /console/sso/terug?code=...&state=...: the provider sends the browser back."""
        params = request.query_params
        pending = await run_in_threadpool(
            self._take, request.cookies.get(SSO_COOKIE), params.get("state", "")
        )
        if pending is None:
            _log.warning("sso refused: no login under way with this state")
            return self._refused(request, 403, FAILED)
        provider = self.console.providers.get(pending.provider)
        code = params.get("code", "")
        if provider is None or not code or params.get("error"):
            _log.warning("sso refused: the provider sent an error or no code")
            return self._refused(request, 403, FAILED)
        try:
            claims = await run_in_threadpool(
                oidc.exchange,
                provider,
                self._callback_url(request),
                code,
                pending.code_verifier,
                pending.nonce,
                self.console.clock(),
            )
        except oidc.OidcError as exc:
            _log.warning("sso refused at %s: %s", provider.name, exc)
            return self._refused(request, 403, FAILED)
        outcome = await run_in_threadpool(self._open, provider, claims, pending.purpose)
        if isinstance(outcome, sso.SsoRefusedError):
            _log.warning("sso refused at %s: %s", provider.name, outcome)
            return self._refused(request, 403, NO_ACCOUNT)
        language = self.console.language(request)
        response = self.console.render(
            "continue.html",
            language,
            target=pending.next_path,
            heading="Ingelogd",
            link="Verder naar de console",
        )
        self.console.set_session_cookie(response, outcome)
        response.delete_cookie(SSO_COOKIE, path=f"{PREFIX}/sso")
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
        return response

    def _take(self, token: str | None, state: str) -> sso.Pending | None:
        with self.console.sessions.begin() as session:
            return sso.take(session, token, state, self.console.clock())

    def _open(
        self, provider: oidc.Provider, claims: dict[str, object], purpose: str
    ) -> str | sso.SsoRefusedError:
        now = self.console.clock()
        with self.console.sessions() as session:
            try:
                member = sso.account_for(session, provider, dict(claims), now)
            except sso.SsoRefusedError as exc:
                session.rollback()
                return exc
            opened = sessions.open_session(session, member, purpose, now)
            session.commit()
            return opened.token
