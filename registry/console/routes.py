"""The console's routes under ``/console``: what the composition root mounts."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from registry.console.gate import Gate
from registry.console.monitor_pages import MonitorPages
from registry.console.pages import CommonPages
from registry.console.policy_pages import PolicyPages
from registry.console.report_pages import ReportPages
from registry.console.sso_gate import SsoGate
from registry.console.staff_pages import StaffPages
from registry.console.web import PREFIX, Console, Page, PageRequest, roles
from registry.models import StaffRole

STATIC = Path(__file__).parent / "static"


def console_mount(console: Console) -> Mount:
    """``/console`` with every page, the console's GraphQL endpoint and its static assets."""
    gate = Gate(console)
    sso = SsoGate(console)
    common = CommonPages(console)
    monitor = MonitorPages(console)
    policies = PolicyPages(console)
    staff = StaffPages(console)
    reports = ReportPages(console)
    officer = roles(StaffRole.POLICY_OFFICER)
    worker = roles(StaffRole.CASE_WORKER)
    woonkans = roles(StaffRole.MONITOR)
    admin = roles(StaffRole.ADMIN)

    def page(
        path: str, handler: object, who: frozenset[StaffRole] | None = None, *, post: bool = False
    ) -> Route:
        assert callable(handler)
        return Route(
            path, console.endpoint(Page(handler, who)), methods=["POST"] if post else ["GET"]
        )

    def graphiql(page_request: PageRequest) -> Response:
        return console.render(
            "graphiql.html",
            page_request.language,
            acting=page_request.acting,
            csrf=page_request.acting.csrf_token,
        )

    routes: list[BaseRoute] = [
        Route("/login", gate.login_page, methods=["GET"]),
        Route("/login", gate.login, methods=["POST"]),
        Route("/logout", gate.logout, methods=["POST"]),
        Route("/sso/terug", sso.callback, methods=["GET"]),
        Route("/sso/{provider}", sso.start, methods=["POST"]),
        Route("/taal", gate.language, methods=["GET"]),
        Route("/graphql", gate.graphql, methods=["POST"]),
        page("/", common.home),
        page("/casussen/{case_id}", common.case),
        page("/casussen/{case_id}/notities", common.add_annotation, post=True),
        page("/casussen/{case_id}/inzage", reports.page),
        page("/casussen/{case_id}/inzage.json", reports.download),
        page("/werklijst", common.work, worker),
        page("/werklijst/contacten/{contact_id}", common.record_contact, worker, post=True),
        page("/afspraken", monitor.dashboard, woonkans),
        page("/afspraken/{agreement_id}/evaluatie", monitor.review_form, woonkans),
        page("/afspraken/{agreement_id}/evaluatie", monitor.record_review, woonkans, post=True),
        page("/beleid", policies.covenant, officer),
        page("/beleid/uitleg", policies.explain, officer),
        page("/beleid/proef", policies.dry_run, officer, post=True),
        page("/beleid/uitgeven", policies.issue, officer, post=True),
        page("/beleid/{policy_id}/intrekken", policies.revoke, officer, post=True),
        page("/beleid/{policy_id}/goedkeuren", policies.approve, officer, post=True),
        page("/medewerkers", staff.listing, admin),
        page("/medewerkers", staff.add, admin, post=True),
        page("/medewerkers/{username}/uitschakelen", staff.disable, admin, post=True),
        page("/graphiql", graphiql),
        Mount("/static", app=StaticFiles(directory=STATIC), name="console-static"),
    ]
    return Mount(PREFIX, routes=routes)
