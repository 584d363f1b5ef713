"""The aftercare fields a policy can release: the household's new contact details (each
sensitive, as its identity is), how it consented to sharing them, and the follow-ups.

Contact details after an eviction are released per field, like identity: a partner that
writes to the household needs its postal address, not its phone. They are in a group of
their own (``aftercareContact``), not in ``identity``: the early signal's statutory rule and
every grant of ``identity`` predate them and were not made for where a household went after
losing its home. The corporation's own-case rule leaves them out (``registry.access.
vocabulary``): the report (section 3.2.4) has the corporations' role end with the eviction,
and aftercare is the municipality's and the support organisations'.
"""

from __future__ import annotations

from registry.access.fields import FieldGroup, ReleasedField, ReleasedFields
from registry.models import AftercareContact

AFTERCARE_CONTACT_PHONE = "aftercareContactPhone"
AFTERCARE_CONTACT_EMAIL = "aftercareContactEmail"
AFTERCARE_CONTACT_ADDRESS = "aftercareContactAddress"
AFTERCARE_CONTACT_CONSENT = "aftercareContactConsent"
#: The follow-ups of a case: released whole (``Disclosure.follow_up_view``), and always to
#: their assignee, whose task they are.
FOLLOW_UPS = "aftercareFollowUps"

#: The household's new contact details, and its consent.
AFTERCARE_CONTACT_FIELDS: ReleasedFields[AftercareContact, None] = ReleasedFields(
    ReleasedField(
        AFTERCARE_CONTACT_PHONE,
        "the phone number where the household can be reached after the eviction",
        {"phone": lambda c, _: c.phone},
        sensitive=True,
        description_nl="het telefoonnummer waarop het huishouden na de ontruiming bereikbaar is",
    ),
    ReleasedField(
        AFTERCARE_CONTACT_EMAIL,
        "the e-mail address where the household can be reached after the eviction",
        {"email": lambda c, _: c.email},
        sensitive=True,
        description_nl="het e-mailadres waarop het huishouden na de ontruiming bereikbaar is",
    ),
    ReleasedField(
        AFTERCARE_CONTACT_ADDRESS,
        "the postal address where the household can be reached after the eviction",
        {"postal_address": lambda c, _: c.postal_address},
        sensitive=True,
        description_nl="het postadres waarop het huishouden na de ontruiming bereikbaar is",
    ),
    ReleasedField(
        AFTERCARE_CONTACT_CONSENT,
        "how the household consented to sharing its new contact details, recorded by whom and when",
        {
            "consent_manner": lambda c, _: c.consent_manner,
            "recorded_by": lambda c, _: c.recorded_by,
            "recorded_at": lambda c, _: c.recorded_at,
        },
        frozenset({FieldGroup.AFTERCARE}),
        description_nl=(
            "hoe het huishouden toestemming gaf om zijn nieuwe contactgegevens te delen, "
            "vastgelegd door wie en wanneer"
        ),
    ),
)

#: The follow-ups after the eviction: a field of its own, in the aftercare group.
FOLLOW_UP_FIELDS: ReleasedFields[object, None] = ReleasedFields(
    ReleasedField(
        FOLLOW_UPS,
        "the follow-ups after the eviction: what, by which partner, by when, and their outcome",
        {},  # released whole by ``Disclosure.follow_up_view``
        frozenset({FieldGroup.AFTERCARE}),
        description_nl=(
            "de afspraken voor nazorg na de ontruiming: wat, door welke partner, wanneer, en "
            "met welke uitkomst"
        ),
    ),
)

#: The group a municipality grants to the partners that continue aftercare.
AFTERCARE_CONTACT = AFTERCARE_CONTACT_FIELDS.names
