"""The console's texts: Dutch by default, English from this catalogue.

Templates and handlers write the Dutch text and pass it through ``_``; a text missing here is
shown in Dutch (a test checks that every text the templates use has its English).
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("nl", "en")
DEFAULT = "nl"

#: Longer texts used in more than one place.
FORM_REFUSED = "Verzoek geweigerd: het formulier is verlopen of ongeldig. Laad de pagina opnieuw."
LOCKED_OUT = "Te veel mislukte pogingen: dit account is tijdelijk geblokkeerd."
WHY = "Waarom ziet partner X (niet) veld Y van casus Z?"
SHOWN_ONCE = "Geheim voor de authenticator-app (eenmalig getoond):"

#: Dutch text -> English.
ENGLISH: dict[str, str] = {
    "Toon matrix": "Show matrix",
    "Gevolgen voor alle casussen": "Effect on all cases",
    "Voor het doel": "For the purpose",
    "deels": "partly",
    "Voorwaarden": "Conditions",
    "fasen": "phases",
    "wacht op goedkeuring": "awaiting approval",
    "Goedkeuren": "Approve",
    "Voor de doelen (verwerkingsactiviteiten)": "For the purposes (processing activities)",
    "In de fasen (geen: alle)": "In the phases (none: all)",
    "Geldig vanaf": "Valid from",
    "Geldig tot en met": "Valid until",
    "Toelichting": "Explanation",
    "Gevolgen voor alle casussen van": "Effect on all cases of",
    "Casussen erbij": "Cases gaining",
    "Partners erbij": "Partners gaining",
    "Casussen eraf": "Cases losing",
    "Partners eraf": "Partners losing",
    "Geen verandering.": "No change.",
    "Ketenregister": "Ketenregister",
    "Console": "Console",
    "Inloggen": "Log in",
    "Uitloggen": "Log out",
    "Gebruikersnaam": "Username",
    "Wachtwoord": "Password",
    "Code uit de authenticator-app": "Code from the authenticator app",
    "Alleen als uw account een tweede factor heeft.": "Only if your account has a second factor.",
    "Doel van deze sessie": "Purpose of this session",
    "Naar de inhoud": "Skip to content",
    "Taal": "Language",
    "Overzicht": "Overview",
    "Casussen": "Cases",
    "Actiepunten": "Action items",
    "Werklijst": "Work list",
    "Afspraken": "Agreements",
    "Beleid": "Policies",
    "Medewerkers": "Staff",
    "GraphiQL": "GraphiQL",
    "Ingelogd als": "Logged in as",
    "namens": "for",
    "doel": "purpose",
    "Geen.": "None.",
    "Casus": "Case",
    "Fase": "Phase",
    "Gemeente": "Municipality",
    "Eigenaar": "Owner",
    "Relatie": "Relation",
    "Ontruimingsdatum": "Eviction date",
    "Achtergehouden velden": "Withheld fields",
    "Omschrijving": "Description",
    "Uitvoerder": "Assignee",
    "Uiterlijk": "Due",
    "Te laat": "Overdue",
    "te laat": "overdue",
    "Gereed": "Done",
    "Notities": "Annotations",
    "Notitie toevoegen": "Add an annotation",
    "Soort": "Kind",
    "Datum": "Date",
    "Notitie": "Note",
    "Opslaan": "Save",
    "Veld": "Field",
    "Waarde": "Value",
    "Gemeentelijke contacten": "Municipal contacts",
    "Uitkomst vastleggen": "Record the outcome",
    "Uitkomst": "Outcome",
    "Pogingen": "Attempts",
    "Contactdatum": "Contact date",
    "Opslagklokken": "Inventory clocks",
    "13 weken op": "13 weeks on",
    "Vernietigen vanaf": "Disposable from",
    "Nieuwe vroegsignalen": "New early signals",
    "Gesignaleerd op": "Signalled on",
    "Ontruimingen in de komende weken": "Evictions in the coming weeks",
    "Deurwaarder": "Bailiff",
    "Afspraken per status": "Agreements by status",
    "Aantal": "Number",
    "Evaluaties die eraan komen of te laat zijn": "Reviews due or overdue",
    "Evaluatie": "Review",
    "Afspraak": "Agreement",
    "Gebroken voorwaarden": "Broken conditions",
    "Voorwaarde": "Condition",
    "Evaluatie vastleggen": "Record a review",
    "Nagekomen": "Met",
    "Jaarcijfers": "Yearly figures",
    "Aanvragen": "Applications",
    "Percentage afspraken": "Agreement rate",
    "Percentage geslaagd": "Success rate",
    "onderdrukt (kleine aantallen)": "suppressed (small numbers)",
    "Jaar": "Year",
    "Convenant": "Covenant",
    "Beleidsregels van": "Policies of",
    "Uitgever": "Issuer",
    "Wie": "Who",
    "Velden": "Fields",
    "Sinds": "Since",
    "Intrekken": "Revoke",
    "beperking van de eigenaar": "owner's restriction",
    "Matrix: wie ziet welke veldgroep": "Matrix: who sees which field group",
    "Ontwerp-toestemming": "Draft grant",
    "Partnersoort": "Partner kind",
    "of één partner": "or one partner",
    "Proefdraaien tegen casus": "Dry run against case",
    "voor partner": "for partner",
    "Proefdraaien": "Dry run",
    "Nu": "Now",
    "Met ontwerp": "With draft",
    "Besloten door": "Decided by",
    "Uitgeven": "Issue",
    WHY: "Why does partner X (not) see field Y of case Z?",
    "Uitleggen": "Explain",
    "Vrijgegeven": "Released",
    "ja": "yes",
    "nee": "no",
    "Medewerker toevoegen": "Add a staff member",
    "Naam": "Name",
    "Rol": "Role",
    "Tweede factor (TOTP)": "Second factor (TOTP)",
    "Toevoegen": "Add",
    "Status": "Status",
    "actief": "active",
    "uitgeschakeld": "disabled",
    "Uitschakelen": "Disable",
    SHOWN_ONCE: "Secret for the authenticator app (shown once):",
    "Opgeslagen.": "Saved.",
    "Niet toegestaan": "Not allowed",
    "Deze pagina is niet voor uw rol.": "This page is not for your role.",
    "Niet gevonden": "Not found",
    FORM_REFUSED: "Request refused: the form has expired or is invalid. Reload the page.",
    "Uw sessie is verlopen. Log opnieuw in.": "Your session has expired. Log in again.",
    "Verkeerde gebruikersnaam, wachtwoord of code.": "Wrong username, password or code.",
    LOCKED_OUT: "Too many failed logins: this account is locked for a while.",
    "beheerder": "admin",
    "beleidsmedewerker": "policy officer",
    "casemanager": "case worker",
    "monitor": "monitor",
    "Ketenpreventie huisuitzettingen": "Eviction prevention (chain)",
    "Monitoring woonkansovereenkomsten": "Monitoring second-chance agreements",
    "Beheer van het convenant": "Administering the covenant",
    "Zorg voor opgeslagen inboedel": "Care for stored goods",
    "Laden…": "Loading…",
    "Inloggen via": "Log in with",
    "Met inloggen via uw organisatie zijn gebruikersnaam, wachtwoord en code niet nodig; "
    "kies wel het doel.": "Logging in with your organisation needs no username, password or "
    "code; do choose the purpose.",
    "Ingelogd": "Logged in",
    "Verder naar de console": "Continue to the console",
    "Doorsturen naar uw organisatie": "Sending you to your organisation",
    "Verder naar het inloggen bij uw organisatie": "Continue to log in at your organisation",
    "Inloggen via de identiteitsprovider is mislukt. Probeer het opnieuw.": "Logging in with "
    "the identity provider failed. Please try again.",
    "Aan deze identiteit is bij deze organisatie geen console-account gekoppeld. "
    "Vraag de beheerder van uw organisatie om een account.": "No console account is linked to "
    "this identity at this organisation. Ask your organisation's admin for an account.",
    "De identiteitsprovider is nu niet bereikbaar. Probeer het later opnieuw.": "The identity "
    "provider cannot be reached now. Please try again later.",
    "Inzagerapport": "Access report",
    "casus": "case",
    "Wie de gegevens van dit huishouden heeft ontvangen: wanneer, welke velden, voor welk doel, "
    "via welk kanaal en door welke medewerker.": "Who received this household's data: when, "
    "which fields, for which purpose, through which channel and by which staff member.",
    "De gegevens van dit huishouden zijn gewist op": "This household's data was erased on",
    "Download als JSON": "Download as JSON",
    "Per organisatie": "Per organisation",
    "Organisatie": "Organisation",
    "Eerste keer": "First time",
    "Laatste keer": "Last time",
    "Doelen": "Purposes",
    "Kanalen": "Channels",
    "Verzoeken": "Requests",
    "Alle verzoeken": "Every request",
    "Wanneer (UTC)": "When (UTC)",
    "Medewerker": "Staff member",
    "Ontvangen velden": "Fields received",
    "Doel": "Purpose",
    "Kanaal": "Channel",
    "Er is geen casus met dit nummer die u mag inzien.": "There is no case with this number "
    "that you may see.",
    "Wie zag deze gegevens? Inzagerapport": "Who saw this data? Access report",
}


def translator(language: str) -> Callable[[str], str]:
    """The ``_`` of one language: Dutch texts as they are, English from the catalogue."""
    if language == "en":
        return lambda text: ENGLISH.get(text, text)
    return lambda text: text


def pick(requested: str | None) -> str:
    """The language to use: a known one that was asked for, else Dutch."""
    return requested if requested in LANGUAGES else DEFAULT
