"""Timed announcers: events the registry announces itself when a deadline passes, rather than
on a partner's request (``Event.timed``).

Each announcer finds what fell due since its last run, claims each find once (so that of
several workers exactly one announces it: ``outbox.claim_overdue_announcement``) and records
its event; it returns how many it announced. The delivery worker runs every announcer here
once per round (``delivery.DeliveryWorker``), and a test checks that every timed event of the
vocabulary has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType

from sqlalchemy.orm import Session

from registry.aftercare import followups as aftercare_follow_ups
from registry.agreements import reviews as agreement_reviews
from registry.cases import annotations as case_annotations
from registry.cases import signals as case_signals
from registry.events import Event
from registry.inventory import contacts as municipal_contacts
from registry.shelter import tasks as shelter_tasks

#: Announces what fell due at the given time, in the given transaction; returns how many.
Announcer = Callable[[Session, dt.datetime], int]

#: The announcer of every timed event.
ANNOUNCERS: Mapping[Event, Announcer] = MappingProxyType(
    {
        # Addressed to the assignee: a case conference's task it has not done in time.
        Event.ACTION_ITEM_OVERDUE: case_annotations.announce_overdue,
        # Addressed to the municipality: a household it has not reached in time.
        Event.MUNICIPAL_CONTACT_OVERDUE: municipal_contacts.announce_overdue,
        # To whoever may read the case's signals: a reply clock that ran out unanswered.
        Event.SIGNAL_REPLY_OVERDUE: case_signals.announce_overdue,
        # Addressed to the municipality: a household with no place arranged before its day.
        Event.SHELTER_TASK_OVERDUE: shelter_tasks.announce_overdue,
        Event.AFTERCARE_FOLLOW_UP_OVERDUE: aftercare_follow_ups.announce_overdue,
        # Addressed to every party: a review of their agreement fell due today.
        Event.AGREEMENT_REVIEW_DUE: agreement_reviews.announce_due,
    }
)
