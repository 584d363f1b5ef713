"""Staff accounts of partner organisations (medewerkers) and their console sessions."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk
from registry.db import Base
from registry.models.partner import Partner, str_enum


class StaffRole(StrEnum):
    """What a staff member does in the console (what each role may open is the console's)."""

    ADMIN = "admin"  # beheerder: adds and disables staff of the organisation
    POLICY_OFFICER = "policy_officer"  # beleidsmedewerker: the municipality's covenant
    CASE_WORKER = "case_worker"  # casemanager / klantmanager
    MONITOR = "monitor"  # Bureau Woonkans: agreements, reviews, figures


class StaffMember(Base):
    """One person's account at one partner organisation: the organisation is the principal of
    everything the person does in the console; the person is the acting person in the logs."""

    __tablename__ = "staff_member"
    __table_args__ = (
        UniqueConstraint("username"),
        # One identity at one identity provider is one account (single sign-on).
        UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: Mapped[UuidPk]
    partner_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"), index=True)
    #: Unique across the registry: the login name and the acting person in the logs.
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, "staff_role"))
    #: argon2id hash in PHC string form (argon2-cffi).
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Base32 TOTP secret (RFC 6238); None when the member has no second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The last TOTP time step accepted, so that a code is accepted once.
    totp_last_step: Mapped[int | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[Timestamp]
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: The identity provider's ``iss`` and ``sub`` this account is linked to (single sign-on);
    #: None until its first login through the organisation's identity provider.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    partner: Mapped[Partner] = relationship(lazy="joined", innerjoin=True)


class StaffSession(Base):
    """A console session, kept server-side so that it can be revoked. The cookie carries a
    random token; only its SHA-256 is stored, so a database read gives no usable session."""

    __tablename__ = "staff_session"

    id: Mapped[UuidPk]
    #: SHA-256 (hex) of the cookie's token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_member.id"), index=True)
    #: The CSRF token every form and console GraphQL request of this session must carry.
    csrf_token: Mapped[str] = mapped_column(String(64))
    #: The processing activity chosen at login: logged with every disclosure of the session.
    purpose: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Timestamp]
    last_seen_at: Mapped[Timestamp]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    staff: Mapped[StaffMember] = relationship(lazy="joined", innerjoin=True)


class StaffSsoLogin(Base):
    """A single sign-on login under way: sent to the identity provider, not yet back. The
    browser holds a random token in a cookie (its SHA-256 is kept here), so that a callback
    is accepted only in the browser that started it, once, and only for a few minutes."""

    __tablename__ = "staff_sso_login"

    id: Mapped[UuidPk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The configured provider's name (settings), not a foreign key: providers live in a file.
    provider: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str] = mapped_column(String(128))
    #: PKCE (RFC 7636): sent with the code; the provider saw only its S256 challenge.
    code_verifier: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(64))
    next_path: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[Timestamp]
