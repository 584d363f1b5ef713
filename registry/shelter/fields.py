"""The shelter field a policy can release: the municipality's shelter task and reservation.

One coarse field: who arranges what kind of place from when says little on its own, and
whoever needs one part of it (a district team preparing the household, the bailiff on the
day) needs all of it. The task's assignee (the municipality's authority) reads it whatever
the policies say: the task is its own.
"""

from __future__ import annotations

import datetime as dt

from registry.access.fields import FieldGroup, ReleasedField, ReleasedFields
from registry.models import ShelterTask

SHELTER_TASK = "shelterTask"

#: The shelter task of a case.
SHELTER_FIELDS: ReleasedFields[ShelterTask, dt.date] = ReleasedFields(
    ReleasedField(
        SHELTER_TASK,
        "the municipality's shelter task before an eviction: due date, urgency (children "
        "involved), and the reservation (kind of shelter, from when, arranged by)",
        {},  # released whole by ``Disclosure.shelter_task_view``
        frozenset({FieldGroup.EVICTION, FieldGroup.AFTERCARE}),
        description_nl=(
            "de opvangtaak van de gemeente vóór een ontruiming: uiterste datum, urgentie (kinderen"
            " betrokken) en de reservering (soort opvang, vanaf wanneer, geregeld door)"
        ),
    ),
)
