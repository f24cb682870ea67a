"""One worker's story (``lindungi.lookup.worker``, ``python -m lindungi worker``): every cover, reminder, receipt
and mark of the worker, in one Query and one BatchGetItem, numbers masked unless asked, every lookup audited."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import boto3
import pytest

from lindungi.config import programs
from lindungi.dynamo import serialize
from lindungi.intake.store import write_items
from lindungi.lookup.worker import read_worker, text
from lindungi.ops.cli import main
from lindungi.reminders.notices import notice_id, notice_pk, optout_pk, unreachable_pk
from lindungi.workers import worker_key
from lindungi_dev.emulator.template import REGION, Stack
from lindungi_dev.samples import coverages

NIK = "6172014509850003"
OLD_PHONE, NEW_PHONE = "+6281234567891", "+6285712345678"


def _seed(aws: Stack) -> None:
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
    covers = [
        coverages.coverage(NIK, start=date(2025, 1, 1), end=date(2025, 5, 31), phone=OLD_PHONE,
                           listed_at="2025-01-05T03:00:00+00:00"),
        # renewed without a gap, on a later list with a new number
        coverages.coverage(NIK, start=date(2025, 6, 1), end=date(2025, 10, 31), phone=NEW_PHONE,
                           listed_at="2025-06-02T03:00:00+00:00"),
        coverages.coverage(NIK, program="pekerja-sawit", start=date(2025, 2, 1), end=date(2026, 1, 31), phone=None),
        coverages.coverage("6172014509850011", start=date(2025, 1, 1), end=date(2025, 5, 31)),  # someone else
    ]
    write_items(dynamodb, aws.physical("WorkersTable"), covers)
    table = aws.physical("NoticesTable")
    first = "2025-01-01"
    for stage, status, extra in (
        (30, "delivered", {"sns_message_id": "m-30", "carrier_at": "2025-05-01T02:06:01+00:00"}),
        (7, "carrier_failed", {"sns_message_id": "m-7", "carrier_class": "permanent",
                               "carrier_reason": "Invalid phone number"}),
    ):
        ident = notice_id(NIK, "pekerja-rentan", first, stage)
        item = {"pk": notice_pk(ident), "type": "notice", "notice_id": ident, "nik": NIK, "stage": stage,
                "status": status, "planned_for": "2025-05-01", "outcome_at": "2025-05-01T02:06:00+00:00",
                "phone": OLD_PHONE, "text": "Yth SITI AMINAH ...", **extra}
        dynamodb.put_item(TableName=table, Item=serialize(item))
    dynamodb.put_item(TableName=table, Item=serialize({"pk": unreachable_pk(OLD_PHONE), "type": "unreachable",
                                                       "e164": OLD_PHONE, "reason": "Invalid phone number",
                                                       "added_at": "2025-05-24T02:06:01+00:00"}))
    dynamodb.put_item(TableName=table, Item=serialize({"pk": optout_pk(NEW_PHONE), "type": "optout",
                                                       "e164": NEW_PHONE, "reason": "minta berhenti"}))


def _counted() -> tuple[Any, list[str]]:
    client: Any = boto3.client("dynamodb", region_name=REGION)
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    return client, calls


def test_the_record_holds_every_cover_notice_receipt_and_mark_in_two_requests(aws: Stack) -> None:
    _seed(aws)
    client, calls = _counted()
    record = read_worker(client, aws.physical("WorkersTable"), aws.physical("NoticesTable"), programs(), NIK)
    assert calls == ["Query", "BatchGetItem"] and record.requests == 2  # no Scan, whatever the history
    assert [(c.program, c.start, c.renewed_by) for c in record.covers] == [
        ("pekerja-rentan", "2025-01-01", "2025-06-01"), ("pekerja-sawit", "2025-02-01", None),
        ("pekerja-rentan", "2025-06-01", None)]
    first = record.covers[0]
    assert [(n.stage, n.status, n.sms_message_id) for n in first.notices] == [
        (30, "delivered", "m-30"), (7, "carrier_failed", "m-7")]
    assert first.notices[1].carrier_reason == "Invalid phone number" and first.stages_not_planned == [1]
    assert record.contact == "+62857****5678"  # the latest list's number, masked
    marks = {m.phone: (m.opted_out, m.unreachable) for m in record.numbers}
    assert marks == {"+62812****7891": (False, True), "+62857****5678": (True, False)}
    shown = json.dumps(record.to_dict())
    assert OLD_PHONE not in shown and NEW_PHONE not in shown and "Yth" not in shown  # no number, no SMS text

    full = read_worker(client, aws.physical("WorkersTable"), aws.physical("NoticesTable"), programs(), NIK,
                       show_contact=True)
    assert full.contact == NEW_PHONE and full.covers[0].notices[0].phone == OLD_PHONE
    assert "renewed by the cover from 2025-06-01" in text(record) and "dead since" in text(record)


def test_a_worker_on_no_list_is_said_so_in_one_request(aws: Stack) -> None:
    client, calls = _counted()
    record = read_worker(client, aws.physical("WorkersTable"), aws.physical("NoticesTable"), programs(), NIK)
    assert not record.found and calls == ["Query"] and "no cover on any list" in text(record)


def test_the_command_prints_the_story_and_audits_who_looked_with_the_nik_masked(
    aws: Stack, capsys: pytest.CaptureFixture[str],
) -> None:
    _seed(aws)
    assert main(["worker", NIK]) == 0
    out, err = capsys.readouterr()
    assert "pekerja-sawit 2025-02-01 .. 2026-01-31" in out and "+62812****7891" in out and OLD_PHONE not in out
    (audit,) = [json.loads(line) for line in err.splitlines() if '"audit"' in line]
    assert audit["audit"] == "worker lookup" and audit["nik"] == "6172********0003" and audit["who"]
    assert audit["show_contact"] is False and NIK not in err
    assert main(["worker", NIK, "--show-contact", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["contact"] == NEW_PHONE and '"show_contact":true' in err
    assert main(["worker", "6172014509850999"]) == 1  # on no list
    assert main(["worker", "12345"]) == 2


def test_the_record_shows_the_one_renewed_and_the_workers_own_contact(aws: Stack) -> None:
    """A renewal after a gap in another program, and the number and fallback of the worker's own item."""
    table = aws.physical("WorkersTable")
    write_items(boto3.client("dynamodb", region_name=REGION), table, [
        coverages.coverage(NIK, start=date(2025, 1, 1), end=date(2025, 5, 31), phone=OLD_PHONE),
        coverages.coverage(NIK, program="pekerja-sawit", start=date(2025, 6, 20), end=date(2026, 6, 19), phone=None),
        worker_key(NIK) | {"type": "worker", "nik": NIK, "phone": NEW_PHONE, "phone_fallback": "+6281311112222",
                           "phone_listed_at": "2025-06-20T01:00:00+00:00",
                           "covers": ["pekerja-rentan#2025-01-01#2025-05-31", "pekerja-sawit#2025-06-20#2026-06-19"]},
    ])
    client, _ = _counted()
    record = read_worker(client, table, aws.physical("NoticesTable"), programs(), NIK, show_contact=True)
    assert [(c.program, c.renewed_by) for c in record.covers] == [("pekerja-rentan", "2025-06-20"),
                                                                  ("pekerja-sawit", None)]
    assert (record.contact, record.fallback) == (NEW_PHONE, "+6281311112222")
    assert {m.phone for m in record.numbers} == {OLD_PHONE, NEW_PHONE, "+6281311112222"}
    assert "fallback +6281311112222" in text(record)
