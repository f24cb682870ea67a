"""Reminder notices: deterministic ids, what a notice carries, the status vocabulary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lindungi.reminders.notices import (
    TERMINAL,
    Status,
    coverage_key,
    mask_id,
    message_body,
    new_notice,
    notice_id,
    parse_body,
    unreachable_pk,
)


def test_notice_ids_are_deterministic_and_masked_for_logs() -> None:
    ident = notice_id("6172014509850003", "pekerja-rentan", "2025-01-01", 7)
    assert ident == "6172014509850003#pekerja-rentan#2025-01-01#7"
    assert mask_id(ident) == "6172********0003#pekerja-rentan#2025-01-01#7"
    assert parse_body(message_body(ident)) == ident


def test_new_notice_carries_what_the_sender_needs_and_expires() -> None:
    coverage = {"pk": "WORKER#6172014509850003", "sk": "COVERAGE#pekerja-rentan#2025-01-01",
                "nik": "6172014509850003", "name": "SITI", "program": "pekerja-rentan",
                "coverage_start": "2025-01-01", "coverage_end": "2025-05-31"}
    now = datetime(2025, 5, 24, 2, 0, tzinfo=UTC)
    notice = new_notice(coverage, 7, date(2025, 5, 24), now)
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
