"""Staff accounts on the real database: adding (names, passwords, second factor), the
command line, TOTP codes accepted once, and sessions' timeouts and revocation."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from registry.cli import main
from registry.errors import ConflictError, InvalidInputError, NotFoundError
from registry.models import StaffRole
from registry.staff import accounts, login, totp
from registry.staff import sessions as staff_sessions

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"  # noqa: S105  # a made-up test password


def _add(session: Session, username: str = "k.visser", **options: object) -> accounts.NewStaff:
    return accounts.add_staff(
        session,
        "gemeente-zaanstad",
        username,
        "K. Visser",
        options.pop("role", StaffRole.CASE_WORKER),  # type: ignore[arg-type]
        str(options.pop("password", PASSWORD)),
        now=NOW,
        **options,  # type: ignore[arg-type]
    )


def test_bad_accounts_are_refused_with_what_is_wrong(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        with pytest.raises(InvalidInputError, match="at least 12 characters"):
            _add(session, password="short")
        with pytest.raises(InvalidInputError, match="lower-case letters, digits"):
            _add(session, username="Has Spaces")
        with pytest.raises(NotFoundError, match="no partner 'nobody'"):
            accounts.add_staff(session, "nobody", "x.y", "X", StaffRole.ADMIN, PASSWORD, now=NOW)
        _add(session)
        with pytest.raises(ConflictError, match=r"username 'k\.visser' is taken"):
            _add(session)


def test_policy_officers_always_get_a_second_factor(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        officer = _add(session, "beleid.z", role=StaffRole.POLICY_OFFICER)
        worker = _add(session, "werker.z")
        optional = _add(session, "werker.t", with_totp=True)
    assert officer.totp_secret and optional.totp_secret and worker.totp_secret is None


def test_a_totp_code_is_accepted_once_and_only_near_its_time(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        secret = _add(session, "beleid.z", role=StaffRole.POLICY_OFFICER).totp_secret
    assert secret
    code = totp.code_at(secret, NOW)
    with sessions() as session:
        with pytest.raises(login.LoginRefusedError, match="wrong username, password or code"):
            login.log_in(
                session,
                "beleid.z",
                PASSWORD,
                totp.code_at(secret, NOW),
                NOW + dt.timedelta(minutes=5),
            )
        session.commit()
        assert login.log_in(session, "beleid.z", PASSWORD, code, NOW).username == "beleid.z"
        session.commit()
        with pytest.raises(login.LoginRefusedError):
            login.log_in(session, "beleid.z", PASSWORD, code, NOW + dt.timedelta(seconds=5))


def test_sessions_time_out_and_are_revoked(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        member = _add(session).member
        opened = _open_session(session, member)
    with sessions.begin() as session:
        assert staff_sessions.find_session(session, opened, NOW + dt.timedelta(minutes=14))
        assert staff_sessions.find_session(session, opened, NOW + dt.timedelta(minutes=30)) is None
        assert staff_sessions.find_session(session, "not a token", NOW) is None
    with sessions.begin() as session:
        accounts.disable_staff(session, "k.visser", now=NOW)
    with sessions.begin() as session:
        assert staff_sessions.find_session(session, opened, NOW + dt.timedelta(minutes=1)) is None


def _open_session(session: Session, member: object) -> str:
    return staff_sessions.open_session(session, member, "eviction_prevention", NOW).token  # type: ignore[arg-type]


def test_the_command_line_adds_lists_and_disables_staff(database_url: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        main,
        [
            "staff",
            "add",
            "beleid@zaanstad",
            "--partner",
            "gemeente-zaanstad",
            "--name",
            "B. Eleid",
            "--role",
            "policy_officer",
            "--database-url",
            database_url,
        ],
        env={"KETENREGISTER_STAFF_PASSWORD": PASSWORD},
    )
    assert added.exit_code == 0, added.output
    assert (
        "staff member beleid@zaanstad of gemeente-zaanstad added (policy_officer)" in added.output
    )
    assert "TOTP secret: " in added.output and "otpauth://totp/" in added.output
    listed = runner.invoke(
        main, ["staff", "list", "--partner", "gemeente-zaanstad", "--database-url", database_url]
    )
    assert "beleid@zaanstad  gemeente-zaanstad  policy_officer  totp  active" in listed.output
    runner.invoke(main, ["staff", "disable", "beleid@zaanstad", "--database-url", database_url])
    listed = runner.invoke(main, ["staff", "list", "--database-url", database_url])
    assert "beleid@zaanstad  gemeente-zaanstad  policy_officer  totp  disabled" in listed.output
    short = runner.invoke(
        main,
        [
            "staff",
            "add",
            "x@zaanstad",
            "--partner",
            "gemeente-zaanstad",
            "--name",
            "X",
            "--role",
            "admin",
            "--password",
            "short",
            "--database-url",
            database_url,
        ],
    )
    assert short.exit_code == 1 and "password must be at least 12 characters" in short.output
