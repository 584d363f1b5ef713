"""The event vocabulary is complete: every event has what its channels need, and the two wire
formats (webhook and log types) are each told by exactly one event."""

from __future__ import annotations

import inspect

import pytest

from registry.access.disclosure import CASE_CONFERENCE_FIELD
from registry.access.vocabulary import VOCABULARY
from registry.auditlog.events import EventClass, event_class, subject_key
from registry.cases.fields import ANNOTATION_KIND_FIELDS
from registry.events import LOG_EVENT_FIELDS, Event, LogEventType, WebhookEventType
from registry.notifications.announcers import ANNOUNCERS
from registry.notifications.delivery import DeliveryWorker

FIELDS = VOCABULARY.fields

NOTIFIED = [e for e in Event if e.notified_as is not None]
LOGGED = [e for e in Event if e.logged_as is not None]


@pytest.mark.parametrize("event", list(Event), ids=lambda e: e.name)
def test_every_event_is_notified_or_logged(event: Event) -> None:
    assert event.notified_as is not None or event.logged_as is not None


@pytest.mark.parametrize("event", NOTIFIED, ids=lambda e: e.name)
def test_a_notified_event_reveals_a_known_field(event: Event) -> None:
    # Only an annotation's webhook names its field when recorded: its kind's.
    if event is Event.ANNOTATION_ADDED:
        assert event.reveals is None
        assert set(ANNOTATION_KIND_FIELDS.values()) <= FIELDS.keys()
        return
    assert event.reveals in FIELDS


def test_an_overdue_action_item_reveals_the_case_conference() -> None:
    # Action items are released with their case-conference decision, and so is their webhook.
    assert Event.ACTION_ITEM_OVERDUE.reveals == CASE_CONFERENCE_FIELD


@pytest.mark.parametrize("event", LOGGED, ids=lambda e: e.name)
def test_a_logged_case_event_names_its_opening_fields(event: Event) -> None:
    assert event.logged_as is not None
    subject_key(event.logged_as)  # the log knows which aggregate to file it under
    if event_class(event.logged_as) is EventClass.POLICY:
        # No case data: shown per the covenant, and never told to partners of a case.
        assert event.opening_fields == frozenset()
        assert event.notified_as is None
        return
    assert event.opening_fields
    assert event.opening_fields <= FIELDS.keys()
    assert LOG_EVENT_FIELDS[event.logged_as] == event.opening_fields


def test_every_wire_type_is_told_by_exactly_one_event() -> None:
    assert sorted(str(e.notified_as) for e in NOTIFIED) == sorted(WebhookEventType)
    assert sorted(str(e.logged_as) for e in LOGGED) == sorted(LogEventType)
    assert len(Event.__members__) == len(Event)  # no member is an alias of another


def test_every_timed_event_has_its_announcer() -> None:
    timed = {e for e in Event if e.timed}
    assert set(ANNOUNCERS) == timed
    # The registry announces them: no partner did anything to sign or submit.
    assert all(e.logged_as is None and e.notified_as is not None for e in timed)
    # The delivery worker runs them all unless told otherwise.
    sources = inspect.signature(DeliveryWorker).parameters["sources"].default
    assert sources == tuple(ANNOUNCERS.values())
