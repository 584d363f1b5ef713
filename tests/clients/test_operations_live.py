"""The SDK's typed operations, sync and async, and ``sign_agreement``, against the real
registry over real HTTP on 127.0.0.1: real tokens, real database, real policies."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clients import (
    AgreementTextError,
    AsyncRegistryClient,
    ConflictError,
    NotAllowedError,
    NotFoundError,
    RegistryClient,
    operations,
)
from clients.tokens import load_private_key
from registry.models import Case, SecondChanceAgreement
from tests.arrange import NEW_CASE, evicted_case
from tests.clients.conftest import key_file_for
from tests.conftest import DEMO_PURPOSE, Clock, DemoKey

PARTIES = ["nijestee", "bureau-woonkans", "wij-groningen"]


def _key_file(tmp_path: Path, key: DemoKey, url: str) -> Path:
    path = tmp_path / f"{key.partner}.json"
    return path if path.exists() else key_file_for(tmp_path, key, url)


def _client(tmp_path: Path, key: DemoKey, url: str, **options: Any) -> RegistryClient:
    options.setdefault("purpose", DEMO_PURPOSE)  # the demo covenants' purpose
    return RegistryClient.from_key_file(_key_file(tmp_path, key, url), **options)


def _async_client(tmp_path: Path, key: DemoKey, url: str, **options: Any) -> AsyncRegistryClient:
    options.setdefault("purpose", DEMO_PURPOSE)
    return AsyncRegistryClient.from_key_file(_key_file(tmp_path, key, url), **options)


def test_a_case_registered_involved_annotated_and_reported_through_typed_operations(
    registry_url: str, demo_keys: dict[str, DemoKey], tmp_path: Path, clock: Clock
) -> None:
    with _client(tmp_path, demo_keys["zowonen"], registry_url, act="j.jansen") as zowonen:
        case = zowonen.call(operations.register_case(NEW_CASE))
        assert case["owner"] == "zowonen" and case["relation"] == "owner"
        assert case["contactName"] == "Test Huishouden" and case["arrearsAmount"] == "1650.00"
        involved = zowonen.call(
            operations.involve_partner(case["id"], "partners-in-welzijn", "OUTREACH")
        )
        assert [(i["partner"], i["role"]) for i in involved["involvements"] or []] == [
            ("partners-in-welzijn", "OUTREACH")
        ]
        note = zowonen.call(
            operations.add_annotation(
                {
                    "caseId": case["id"],
                    "kind": "CONTACT_ATTEMPT",
                    "occurredOn": clock.now.date().isoformat(),
                    "note": "belde, geen gehoor",
                }
            )
        )
        assert note["author"] == "zowonen" and note["actor"] == "j.jansen"
        assert [a["id"] for a in zowonen.call(operations.case_annotations(case["id"]))] == [
            note["id"]
        ]
        with pytest.raises(NotFoundError, match="not found"):
            zowonen.call(operations.case(str(uuid.uuid4())))

    with _client(
        tmp_path, demo_keys["partners-in-welzijn"], registry_url, purpose="eviction_prevention"
    ) as welfare:
        seen = welfare.call(operations.case(case["id"]))
        assert seen["relation"] == "involved"
        assert seen["owner"] is None and "contactName" in seen["withheld"]  # policies held
        with pytest.raises(NotAllowedError):
            welfare.call(operations.access_report(case["id"]))

    with _client(tmp_path, demo_keys["zowonen"], registry_url) as zowonen:
        report = zowonen.call(operations.access_report(case["id"]))
    assert report["caseId"] == case["id"] and report["erasedAt"] is None
    assert "partners-in-welzijn" in {r["partner"] for r in report["recipients"]}


def test_the_async_client_pages_through_cases_and_reads_the_log(
    registry_url: str, demo_keys: dict[str, DemoKey], tmp_path: Path
) -> None:
    async def scenario() -> tuple[list[str], Any, Any, Any]:
        async with _async_client(tmp_path, demo_keys["zowonen"], registry_url) as client:
            ids: list[str] = []
            after = None
            while len(ids) < 30:
                page = await client.call(operations.cases(first=10, after=after))
                ids += [node["id"] for node in page["nodes"]]
                after = page["pageInfo"]["endCursor"]
            checkpoint = await client.call(operations.log_checkpoint())
            entry, consistency = await asyncio.gather(
                client.call(operations.log_entry(0)),
                client.call(operations.log_consistency(1, checkpoint["size"])),
            )
            return ids, checkpoint, entry, consistency

    ids, checkpoint, entry, consistency = asyncio.run(scenario())

    assert len(set(ids)) == 30  # three pages, no case twice
    assert checkpoint["size"] > 1 and checkpoint["note"].startswith(checkpoint["origin"])
    assert entry["entry"]["index"] == 0 and entry["treeSize"] == checkpoint["size"]
    assert consistency["newSize"] == checkpoint["size"] and consistency["proof"]


def test_async_calls_at_once_under_one_idempotency_key_register_one_case(
    registry_url: str,
    demo_keys: dict[str, DemoKey],
    tmp_path: Path,
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(Case))
    key = str(uuid.uuid4())

    async def at_once() -> list[str]:
        async with _async_client(tmp_path, demo_keys["zowonen"], registry_url) as client:
            cases = await asyncio.gather(
                *(
                    client.call(operations.register_case(NEW_CASE), idempotency_key=key)
                    for _ in range(8)
                )
            )
        return [case["id"] for case in cases]

    ids = asyncio.run(at_once())

    assert len(set(ids)) == 1  # every caller got the one case
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == (before or 0) + 1


def _fresh_groningen_case(sessions: sessionmaker[Session]) -> str:
    """A Nijestee case without any agreement yet."""
    with sessions() as session:
        taken = select(SecondChanceAgreement.case_id)
        return str(
            session.scalars(
                select(Case.id)
                .where(Case.owner_id == "nijestee", Case.id.not_in(taken))
                .order_by(Case.registered_at)
            ).first()
        )


def _proposed(
    url: str, keys: dict[str, DemoKey], tmp_path: Path, sessions: sessionmaker[Session], on: dt.date
) -> str:
    """An agreement Bureau Woonkans proposed for a Nijestee case, through the SDK."""
    case_id = _fresh_groningen_case(sessions)
    with _client(tmp_path, keys["nijestee"], url) as nijestee:
        for partner in ("bureau-woonkans", "wij-groningen"):
            with contextlib.suppress(ConflictError):  # involved already
                nijestee.call(operations.involve_partner(case_id, partner, "SECOND_CHANCE"))
    proposal = {
        "caseId": case_id,
        "kind": "STAY",
        "parties": PARTIES,
        "conditions": [{"type": "PAY_RENT_ON_TIME"}],
        "termStart": on.isoformat(),
        "termEnd": (on + dt.timedelta(days=364)).isoformat(),
        "reviewIntervalDays": 91,
    }
    with _client(tmp_path, keys["bureau-woonkans"], url) as bureau:
        agreement = bureau.call(operations.propose_agreement(proposal))
    assert agreement["status"] == "PROPOSED"
    return agreement["id"]


def _verifies(key: DemoKey, signature: str | None, text: str | None) -> bool:
    public = load_private_key(key.private_key).public_key()
    assert isinstance(public, Ed25519PublicKey) and signature and text
    public.verify(base64.b64decode(signature), text.encode())  # raises if it does not
    return True


def test_parties_sign_an_agreement_with_the_helper_sync_and_async(
    registry_url: str,
    demo_keys: dict[str, DemoKey],
    tmp_path: Path,
    sessions: sessionmaker[Session],
    clock: Clock,
) -> None:
    agreement_id = _proposed(registry_url, demo_keys, tmp_path, sessions, clock.now.date())
    with _client(tmp_path, demo_keys["nijestee"], registry_url) as nijestee:
        document = nijestee.call(operations.agreement_document(agreement_id))
        signed = nijestee.sign_agreement(agreement_id, expected_sha256=document["textSha256"])
    party = next(p for p in signed["parties"] or [] if p["partner"] == "nijestee")
    assert party["keyId"] == demo_keys["nijestee"].kid and party["signedAt"]
    assert _verifies(demo_keys["nijestee"], party["signature"], signed["text"])

    async def bureau_signs() -> Any:
        async with _async_client(tmp_path, demo_keys["bureau-woonkans"], registry_url) as c:
            return await c.sign_agreement(agreement_id)

    signed = asyncio.run(bureau_signs())
    signers = {p["partner"] for p in signed["parties"] or [] if p["signedAt"]}
    assert signers == {"nijestee", "bureau-woonkans"}
    assert signed["status"] == "PROPOSED"  # wij-groningen and the household still to come


def test_sign_agreement_signs_nothing_when_the_text_is_not_the_one_read(
    registry_url: str,
    demo_keys: dict[str, DemoKey],
    tmp_path: Path,
    sessions: sessionmaker[Session],
    clock: Clock,
) -> None:
    agreement_id = _proposed(registry_url, demo_keys, tmp_path, sessions, clock.now.date())
    with _client(tmp_path, demo_keys["wij-groningen"], registry_url) as wij:
        with pytest.raises(AgreementTextError, match="it changed since it was read"):
            wij.sign_agreement(agreement_id, expected_sha256="00" * 32)
        parties = wij.call(operations.agreement(agreement_id))["parties"] or []
    assert not any(p["signedAt"] for p in parties)

    with (
        _client(tmp_path, demo_keys["zowonen"], registry_url) as outsider,
        pytest.raises(NotFoundError, match="not found"),
    ):
        outsider.sign_agreement(agreement_id)  # not its case: as if there were no agreement


def test_stored_goods_are_recorded_released_and_collected_through_typed_operations(
    registry_url: str,
    demo_keys: dict[str, DemoKey],
    tmp_path: Path,
    sessions: sessionmaker[Session],
) -> None:
    today = dt.datetime.now(dt.UTC).date()  # the live registry runs on the real clock
    case_id = evicted_case(sessions, "parteon", today, bailiff="kerckhoffs-lasonder")
    day = today.isoformat()

    def as_partner(partner: str) -> RegistryClient:
        return _client(tmp_path, demo_keys[partner], registry_url)

    with as_partner("kerckhoffs-lasonder") as bailiff:
        stored = bailiff.call(
            operations.record_inventory(
                {
                    "caseId": case_id,
                    "storageProvider": "opslag-zaanstad",
                    "locationCode": "ZD-H12-04",
                    "description": "huisraad: bankstel, bed, 14 verhuisdozen",
                    "removedOn": day,
                    "recordCopyHandedOverOn": day,
                }
            )
        )
    assert stored["caseId"] == case_id and stored["thirteenWeeksOn"]
    with as_partner("opslag-zaanstad") as storage:
        asked = storage.call(operations.request_pickup(case_id))
    assert asked["caseId"] == case_id
    with as_partner("gemeente-zaanstad") as municipality:
        contact = next(
            c
            for c in municipality.call(operations.municipal_contacts(open_only=True))
            if c["caseId"] == case_id
        )
        municipality.call(
            operations.record_municipal_contact(contact["id"], "HELP_ACCEPTED", 1, day)
        )
        released = municipality.call(operations.release_pickup(case_id))
        assert released["releaseAuthorised"] is True and released["pickupCode"]
        assert len(released["pickups"] or []) == 1
        code = municipality.call(operations.issue_pickup_code(case_id))["pickupCode"]
        assert code and code != released["pickupCode"]  # the old one stops working
        rows = municipality.call(operations.eviction_monitor("MUNICIPALITY", 2024, today.year))
        assert {row["key"] for row in rows} == {"zaanstad"} or rows == []
    with as_partner("opslag-zaanstad") as storage:
        assert storage.call(operations.verify_pickup_code(case_id, "AAAA-AAAA")) == {
            "accepted": False
        }
        assert storage.call(operations.verify_pickup_code(case_id, code)) == {"accepted": True}
        assert storage.call(operations.record_collection(case_id, day))["caseId"] == case_id
    with as_partner("gemeente-zaanstad") as municipality:
        goods = municipality.call(operations.inventory(case_id))
    assert goods is not None and goods["status"] == "COLLECTED", goods
