"""The admin's page: the organisation's own staff, adding and disabling them. Only staff of
the admin's organisation are listed or found."""

from __future__ import annotations

from starlette.responses import Response

from registry.console.web import Console, PageRequest, redirect
from registry.errors import RegistryError
from registry.models import StaffRole
from registry.staff import accounts


class StaffPages:
    """Staff of the acting admin's organisation."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def listing(
        self,
        page: PageRequest,
        *,
        error: str | None = None,
        secret: str | None = None,
        status: int = 200,
    ) -> Response:
        """GET /console/medewerkers."""
        with page.sessions() as session:
            staff = [
                (
                    m.username,
                    m.display_name,
                    m.role,
                    m.totp_secret is not None,
                    m.disabled_at is None,
                )
                for m in accounts.list_staff(session, page.acting.partner_id)
            ]
        return self.console.render(
            "staff.html",
            page.language,
            status,
            acting=page.acting,
            staff=staff,
            csrf=page.acting.csrf_token,
            error=error,
            secret=secret,
            done=page.query.get("done") == "1",
        )

    def add(self, page: PageRequest) -> Response:
        """POST /console/medewerkers: add a staff member to the admin's own organisation."""
        try:
            role = StaffRole(page.field("role"))
        except ValueError:
            return self.listing(page, error="unknown role", status=400)
        try:
            with page.sessions.begin() as session:
                new = accounts.add_staff(
                    session,
                    page.acting.partner_id,
                    page.field("username"),
                    page.field("displayName"),
                    role,
                    page.field("password"),
                    now=page.now,
                    with_totp=page.field("totp") == "on",
                )
                secret = new.totp_secret
        except RegistryError as exc:
            return self.listing(page, error=exc.message, status=400)
        if secret:
            return self.listing(page, secret=secret)
        return redirect("/medewerkers")

    def disable(self, page: PageRequest) -> Response:
        """POST /console/medewerkers/{username}/uitschakelen."""
        try:
            with page.sessions.begin() as session:
                accounts.disable_staff(
                    session,
                    page.path_params["username"],
                    now=page.now,
                    partner_id=page.acting.partner_id,
                )
        except RegistryError as exc:
            return self.listing(page, error=exc.message, status=400)
        return redirect("/medewerkers")
