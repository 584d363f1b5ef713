"""The demo's partners: four municipalities of the report's case regions (Zaanstad,
Sittard-Geleen, Deventer, Groningen) and the organisations that work in them. Every one is
the demo's invention of a real kind of partner."""

from __future__ import annotations

from dataclasses import dataclass

from registry.models import InvolvementRole, PartnerKind

MUNICIPALITIES = {
    "zaanstad": "Zaanstad",
    "sittard-geleen": "Sittard-Geleen",
    "deventer": "Deventer",
    "groningen": "Groningen",
}

_ALL = tuple(MUNICIPALITIES)


@dataclass(frozen=True)
class DemoPartner:
    """A demo partner: id, name, kind, where it works, and the role it takes in cases."""

    id: str
    name: str
    kind: PartnerKind
    municipalities: tuple[str, ...]
    role: InvolvementRole | None = None
    authority_for: str | None = None


PARTNERS: tuple[DemoPartner, ...] = (
    DemoPartner(
        "gemeente-zaanstad",
        "Gemeente Zaanstad",
        PartnerKind.MUNICIPALITY,
        ("zaanstad",),
        authority_for="zaanstad",
    ),
    DemoPartner(
        "gemeente-sittard-geleen",
        "Gemeente Sittard-Geleen",
        PartnerKind.MUNICIPALITY,
        ("sittard-geleen",),
        authority_for="sittard-geleen",
    ),
    DemoPartner(
        "gemeente-deventer",
        "Gemeente Deventer",
        PartnerKind.MUNICIPALITY,
        ("deventer",),
        authority_for="deventer",
    ),
    DemoPartner(
        "gemeente-groningen",
        "Gemeente Groningen",
        PartnerKind.MUNICIPALITY,
        ("groningen",),
        authority_for="groningen",
    ),
    DemoPartner("parteon", "Parteon", PartnerKind.CORPORATION, ("zaanstad",)),
    DemoPartner("zowonen", "ZOwonen", PartnerKind.CORPORATION, ("sittard-geleen",)),
    DemoPartner("ieder1", "Ieder1", PartnerKind.CORPORATION, ("deventer",)),
    DemoPartner("nijestee", "Nijestee", PartnerKind.CORPORATION, ("groningen",)),
    DemoPartner(
        "wijkteam-zaandam-noord",
        "Wijkteam Zaandam-Noord",
        PartnerKind.DISTRICT_TEAM,
        ("zaanstad",),
        InvolvementRole.HOME_VISITS,
    ),
    DemoPartner(
        "gebiedsteam-sittard-geleen",
        "Gebiedsteam Sittard-Geleen",
        PartnerKind.DISTRICT_TEAM,
        ("sittard-geleen",),
        InvolvementRole.HOME_VISITS,
    ),
    DemoPartner(
        "wij-groningen",
        "WIJ Groningen",
        PartnerKind.DISTRICT_TEAM,
        ("groningen",),
        InvolvementRole.HOME_VISITS,
    ),
    DemoPartner(
        "gkb-sittard-geleen",
        "GKB Sittard-Geleen",
        PartnerKind.CREDIT_BANK,
        ("sittard-geleen",),
        InvolvementRole.DEBT_COUNSELLING,
    ),
    DemoPartner(
        "bad-deventer",
        "Budget Adviesbureau Deventer",
        PartnerKind.CREDIT_BANK,
        ("deventer",),
        InvolvementRole.DEBT_COUNSELLING,
    ),
    DemoPartner(
        "ehbg-groningen",
        "EHBG Groningen",
        PartnerKind.CREDIT_BANK,
        ("groningen",),
        InvolvementRole.DEBT_COUNSELLING,
    ),
    DemoPartner(
        "partners-in-welzijn",
        "Partners in Welzijn",
        PartnerKind.WELFARE,
        ("sittard-geleen",),
        InvolvementRole.OUTREACH,
    ),
    DemoPartner(
        "meldpunt-bijzondere-zorg",
        "Meldpunt Bijzondere Zorg",
        PartnerKind.CARE,
        ("deventer",),
        InvolvementRole.CASE_COORDINATION,
    ),
    DemoPartner(
        "meldpunt-overlast-en-zorg",
        "Meldpunt Overlast en Zorg",
        PartnerKind.CARE,
        ("groningen",),
        InvolvementRole.CARE,
    ),
    DemoPartner(
        "kerckhoffs-lasonder",
        "Kerckhoffs & Lasonder",
        PartnerKind.BAILIFF,
        ("zaanstad",),
        InvolvementRole.BAILIFF,
    ),
    DemoPartner("flanderijn", "Flanderijn", PartnerKind.BAILIFF, _ALL, InvolvementRole.BAILIFF),
    DemoPartner(
        "bureau-woonkans",
        "Bureau Woonkans",
        PartnerKind.WOONKANS,
        ("groningen",),
        InvolvementRole.SECOND_CHANCE,
    ),
    # Keeps evicted households' goods for Zaanstad. No role: it is involved in a case only when
    # goods are stored with it (registry.inventory.service), never drawn into the demo's cases
    # (which also keeps the random sequence, and so every other demo case, as it was).
    DemoPartner("opslag-zaanstad", "Opslag Zaanstad", PartnerKind.STORAGE, ("zaanstad",)),
)

#: The housing corporation that owns the demo's cases in each municipality.
CORPORATIONS = {
    "zaanstad": "parteon",
    "sittard-geleen": "zowonen",
    "deventer": "ieder1",
    "groningen": "nijestee",
}
