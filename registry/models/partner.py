"""Partner organisations (ketenpartners), municipalities, and the keys partners sign with."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Enum, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.coltypes import Slug, Timestamp, UtcDateTime, utcnow
from registry.db import Base


class PartnerKind(StrEnum):
    """The kinds of chain partner (domain.md, "The parties")."""

    CORPORATION = "corporation"  # woningcorporatie
    MUNICIPALITY = "municipality"  # gemeente
    DISTRICT_TEAM = "district_team"  # wijkteam / gebiedsteam
    CREDIT_BANK = "credit_bank"  # gemeentelijke kredietbank, budget advice
    WELFARE = "welfare"  # welzijnsorganisatie
    CARE = "care"  # meldpunt zorg, GGZ, Veilig Thuis
    BAILIFF = "bailiff"  # gerechtsdeurwaarder
    WOONKANS = "woonkans"  # Bureau Woonkans
    SHELTER = "shelter"  # crisisopvang, maatschappelijke opvang
    STORAGE = "storage"  # opslag


def str_enum(enum: type[StrEnum], name: str) -> Enum:
    """Store a StrEnum by value, as a plain string column (portable, readable in SQL)."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


partner_municipality = Table(
    "partner_municipality",
    Base.metadata,
    Column("partner_id", ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_code", ForeignKey("municipality.code"), primary_key=True),
)


class Municipality(Base):
    """A municipality (gemeente). Its authority is the partner that speaks for it: the one
    that issues its access policies and has the ``municipality`` relation to its cases."""

    __tablename__ = "municipality"

    code: Mapped[Slug] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    authority_id: Mapped[str | None] = mapped_column(ForeignKey("partner.id"), index=True)


class Partner(Base):
    """A partner organisation; its id is a slug such as ``zowonen`` or ``gemeente-zaanstad``."""

    __tablename__ = "partner"

    id: Mapped[Slug] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PartnerKind] = mapped_column(str_enum(PartnerKind, "partner_kind"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=partner_municipality, lazy="selectin", order_by=Municipality.code
    )
    keys: Mapped[list[PartnerKey]] = relationship(back_populates="partner", lazy="raise")

    @property
    def municipality_codes(self) -> frozenset[str]:
        """The codes of the municipalities this partner works in."""
        return frozenset(m.code for m in self.municipalities)


class PartnerKey(Base):
    """A registered Ed25519 public key; ``kid`` is what the partner's token header names."""

    __tablename__ = "partner_key"

    kid: Mapped[str] = mapped_column(String(128), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    partner: Mapped[Partner] = relationship(back_populates="keys", lazy="joined")


class UsedTokenId(Base):
    """A ``jti`` seen before: a token is accepted once. Kept until the token has expired."""

    __tablename__ = "used_token_id"

    jti: Mapped[str] = mapped_column(String(256), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[Timestamp] = mapped_column(index=True)
