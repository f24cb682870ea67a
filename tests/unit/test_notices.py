"""Reminder notices: deterministic ids, what a notice carries, the status vocabulary."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lindungi.dynamo import deserialize, serialize
from lindungi.reminders.notices import (
    OUTCOME_UNKNOWN,
    TERMINAL,
    Notice,
    NoticeStore,
    Status,
    coverage_key,
    mask_id,
    new_notice,
    notice_id,
    unreachable_pk,
)
from lindungi_dev.emulator.lambdas import environment
from lindungi_dev.emulator.template import REGION


def test_notice_ids_are_deterministic_and_masked_for_logs() -> None:
    ident = notice_id("6172014509850003", "pekerja-rentan", "2025-01-01", 7)
    assert ident == "6172014509850003#pekerja-rentan#2025-01-01#7"
    assert mask_id(ident) == "6172********0003#pekerja-rentan#2025-01-01#7"


def test_new_notice_carries_what_the_sender_needs_and_expires() -> None:
    coverage = {"pk": "WORKER#6172014509850003", "sk": "COVERAGE#pekerja-rentan#2025-01-01",
                "nik": "6172014509850003", "name": "SITI", "program": "pekerja-rentan",
                "coverage_start": "2025-01-01", "coverage_end": "2025-05-31"}
    now = datetime(2025, 5, 24, 2, 0, tzinfo=UTC)
    notice = new_notice(coverage, 7, date(2025, 5, 24), now).to_item()
    assert notice["status"] == "planned" and notice["outbox"] == "pending" and notice["days_left"] == 7
    assert notice["pk"] == "NOTICE#6172014509850003#pekerja-rentan#2025-01-01#7"
    assert datetime.fromtimestamp(notice["expires_at"], UTC).date() == date(2025, 5, 31) + timedelta(days=400)


def test_terminal_statuses() -> None:
    assert Status.PLANNED not in TERMINAL and Status.SENDING not in TERMINAL
    assert {Status.SENT, Status.OPTED_OUT, Status.NO_PHONE, Status.NOT_MOBILE, Status.FAILED} <= TERMINAL


def test_receipt_and_number_statuses_are_terminal_with_their_exact_names() -> None:
    # The receipts function writes delivered / carrier_failed; the sender writes number_failed.
    assert (Status.DELIVERED.value, Status.CARRIER_FAILED.value, Status.NUMBER_FAILED.value) == (
        "delivered", "carrier_failed", "number_failed")
    assert {Status.DELIVERED, Status.CARRIER_FAILED, Status.NUMBER_FAILED} <= TERMINAL


def test_keys_a_notice_id_names() -> None:
    ident = notice_id("6172014509850003", "pekerja-rentan", "2025-01-01", 7)
    assert coverage_key(ident) == {"pk": "WORKER#6172014509850003", "sk": "COVERAGE#pekerja-rentan#2025-01-01"}
    assert unreachable_pk("+6281234567890") == "UNREACHABLE#+6281234567890"


# ------------------------------------------------------------------ the diagram, walked on moto
# Every transition of ``NoticeStore`` from every status a notice can be in: it wins from the status the
# diagram in ``lindungi.reminders.notices`` draws it from, and only there, and it never wins twice.

TABLE = "notices"
NOW = datetime(2025, 5, 24, 2, 5, tzinfo=UTC)
CLAIM = "claim-1"
MESSAGE = "message-1"
PHONE = "+6281234567890"


@pytest.fixture(scope="module")
def store() -> Iterator[NoticeStore]:
    """A moto table keyed as NoticesTable (hash key ``pk``); each case writes a notice of its own."""
    with environment({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                      "AWS_ENDPOINT_URL": None, "AWS_ENDPOINT_URL_DYNAMODB": None}), mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        yield NoticeStore(dynamodb, TABLE)


STATES: dict[str, dict[str, Any] | None] = {
    "absent": None,
    "planned": {},
    "sending": {"claim_id": CLAIM, "claimed_at": "2025-05-24T02:04:00+00:00", "phone": PHONE, "text": "Yth."},
    "sent": {"sns_message_id": MESSAGE, "phone": PHONE, "segments": 1},
    "sent, retried once": {"sns_message_id": MESSAGE, "phone": PHONE, "carrier_retries": 1},
    "failed (outcome_unknown)": {"error": OUTCOME_UNKNOWN, "phone": PHONE},
    "failed (SNS error)": {"error": "InvalidParameter: no", "phone": PHONE},
    "delivered": {"sns_message_id": MESSAGE, "phone": PHONE},
    "carrier_failed": {"sns_message_id": MESSAGE, "phone": PHONE},
    **{s.value: {} for s in (Status.OPTED_OUT, Status.NO_PHONE, Status.NOT_MOBILE, Status.SUPERSEDED,
                             Status.EXPIRED, Status.NUMBER_FAILED)},
}
"""A notice in each status as the transitions leave it (the name before the first space or comma)."""


def _claimed(notice: Notice) -> Notice:
    """The notice as the sender holds it after its own claim ``CLAIM`` (whatever the table says now)."""
    return replace(notice, status=Status.SENDING, claim_id=CLAIM, outbox=None)


TRANSITIONS: dict[str, tuple[Callable[[NoticeStore, Notice], Notice | None], set[str]]] = {
    "plan": (lambda store, n: store.plan(n), {"absent"}),
    "claim": (lambda store, n: store.claim(n, NOW, PHONE, "Yth."), {"planned"}),
    "release": (lambda store, n: store.release(_claimed(n), NOW, "Throttling: slow down"), {"sending"}),
    "finish": (lambda store, n: store.finish(n, Status.NO_PHONE if n.claim_id is None else Status.FAILED, NOW),
               {"planned", "sending"}),
    "record_sent": (lambda store, n: store.record_sent(_claimed(n), NOW, "message-2", 1),
                    {"sending", "failed (outcome_unknown)"}),
    "record_receipt": (lambda store, n: store.record_receipt(n, MESSAGE, Status.DELIVERED, NOW),
                       {"sent", "sent, retried once"}),
    "plan_retry": (lambda store, n: store.plan_retry(n, MESSAGE, NOW + timedelta(days=1), "phone off"), {"sent"}),
}


def _seed(store: NoticeStore, case: str, state: str) -> Notice:
    """The notice of this case, written in ``state`` (or not at all: "absent"); as a reader would hold it."""
    nik = f"6172{zlib.crc32(f'{case}/{state}'.encode()):012d}"
    coverage = {"pk": f"WORKER#{nik}", "sk": "COVERAGE#pekerja-rentan#2025-01-01", "nik": nik, "name": "SITI",
                "program": "pekerja-rentan", "coverage_start": "2025-01-01", "coverage_end": "2025-05-31"}
    planned = new_notice(coverage, 7, date(2025, 5, 24), NOW)
    attributes = STATES[state]
    if attributes is None:
        return planned
    status = state.split(",")[0].split(" ")[0]
    notice = planned.changed({"status": status, **attributes}, () if status == "planned" else ("outbox",))
    store.dynamodb.put_item(TableName=store.table, Item=serialize(notice.to_item()))
    return notice


def _stored(store: NoticeStore, notice: Notice) -> dict[str, Any] | None:
    got = store.dynamodb.get_item(TableName=store.table, Key=serialize({"pk": notice.pk}), ConsistentRead=True)
    return deserialize(got["Item"]) if "Item" in got else None


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_each_transition_wins_from_its_status_only_and_never_twice(store: NoticeStore, transition: str,
                                                                    state: str) -> None:
    move, allowed = TRANSITIONS[transition]
    notice = _seed(store, transition, state)
    before = _stored(store, notice)
    moved = move(store, notice)
    assert (moved is not None) == (state in allowed)
    if moved is None:
        assert _stored(store, notice) == before  # a transition that loses writes nothing
        return
    assert _stored(store, notice) == moved.to_item()  # what it answers is what it wrote
    assert move(store, notice) is None  # the same transition from the same reading: never twice


def test_a_claim_that_is_not_ours_moves_nothing(store: NoticeStore) -> None:
    notice = _seed(store, "other claim", "sending")
    theirs = replace(notice, claim_id="claim-2")
    assert store.release(theirs, NOW, "Throttling") is None
    assert store.finish(theirs, Status.FAILED, NOW) is None
    assert store.record_sent(theirs, NOW, "message-2", 1) is None
    assert _stored(store, notice) == notice.to_item()


def test_a_receipt_for_another_message_moves_nothing(store: NoticeStore) -> None:
    notice = _seed(store, "other message", "sent")
    assert store.record_receipt(notice, "message-0", Status.DELIVERED, NOW) is None
    assert store.plan_retry(notice, "message-0", NOW + timedelta(days=1), "phone off") is None
    assert _stored(store, notice) == notice.to_item()


STALE_BEFORE = NOW - timedelta(minutes=15)


@pytest.mark.parametrize(
    ("state", "requeued_at", "taken"),
    [
        pytest.param("planned", None, True, id="in-the-outbox-never-requeued"),
        pytest.param("planned", "2025-05-24T01:50:00+00:00", True, id="requeued-before-the-grace-period"),
        pytest.param("planned", "2025-05-24T02:00:00+00:00", False, id="requeued-within-it-by-another-run"),
        pytest.param("sending", None, False, id="claimed-out-of-the-outbox"),
        pytest.param("sent", None, False, id="sent"),
        pytest.param("absent", None, False, id="absent"),
    ],
)
def test_a_run_takes_an_outbox_notice_to_requeue_it_once(store: NoticeStore, state: str, requeued_at: str | None,
                                                         taken: bool) -> None:
    notice = _seed(store, f"requeue {requeued_at}", state)
    if requeued_at is not None:
        notice = notice.changed({"requeued_at": requeued_at})
        store.dynamodb.put_item(TableName=store.table, Item=serialize(notice.to_item()))
    before = _stored(store, notice)
    assert store.take_to_requeue(notice.notice_id, NOW, STALE_BEFORE) is taken
    if not taken:
        assert _stored(store, notice) == before
        return
    assert _stored(store, notice) == notice.changed({"requeued_at": "2025-05-24T02:05:00+00:00"}).to_item()
    assert store.take_to_requeue(notice.notice_id, NOW, STALE_BEFORE) is False  # a twin of the run: not again
    assert _stored(store, notice)["status"] == "planned"


def test_a_notice_round_trips_through_its_item_unknown_attributes_kept() -> None:
    coverage = {"pk": "WORKER#6172014509850003", "sk": "COVERAGE#pekerja-rentan#2025-01-01",
                "nik": "6172014509850003", "name": "SITI", "program": "pekerja-rentan",
                "coverage_start": "2025-01-01", "coverage_end": "2025-05-31"}
    item = new_notice(coverage, 7, date(2025, 5, 24), NOW).to_item() | {"price_usd": Decimal("0.0339"),
                                                                        "audit_note": "kept"}
    notice = Notice.from_item(deserialize(serialize(item)))
    assert notice.to_item() == item and notice.extra == {"audit_note": "kept"}
    assert (notice.nik, notice.program, notice.coverage_start, notice.stage) == (
        "6172014509850003", "pekerja-rentan", "2025-01-01", 7)
