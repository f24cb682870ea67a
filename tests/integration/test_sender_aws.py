"""The reminder sender against moto: at most one SMS per notice, every outcome recorded.

moto keeps every SMS it was asked to publish (``sms_messages``), which is how "sent once" is checked.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from lindungi.dynamo import serialize
from lindungi.ops.optout import add_opt_out
from lindungi.reminders.notices import OUTCOME_UNKNOWN, Status
from lindungi.reminders.sender import VISIBILITY_MAX_SECONDS, Delivery, RetryLater
from lindungi.renewal import Period
from lindungi.workers import worker_key
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import REGION
from tests.builders import (
    END,
    PHONE,
    Env,
    at,
    count_calls,
    coverage,
    fail_on,
    niks,
)

# ---------------------------------------------------------------- sender

def planned_notice(env: Env, *items: dict[str, Any], days_left: int = 7) -> list[str]:
    env.put(*items)
    env.plan(END - timedelta(days=days_left), send=False)
    return env.queued_ids()


def test_sends_one_transactional_sms_and_records_it(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    sender = env.sender()
    publishes = count_calls(sender.sns, "sns.Publish")
    result = sender.handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert result.status is Status.SENT
    (call,) = publishes
    assert call["PhoneNumber"] == PHONE
    assert call["MessageAttributes"]["AWS.SNS.SMS.SMSType"]["StringValue"] == "Transactional"
    notice = env.notice(ident)
    assert notice["status"] == "sent" and notice["sns_message_id"] == result.message_id
    (phone, text), = env.sms()
    assert phone == PHONE and "SITI AMINAH" in text and "31 Mei 2025" in text and "175" in text
    assert len(text) <= 160


def test_duplicate_delivery_sends_once(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    sender, now = env.sender(), at(END - timedelta(days=7), 9, 5)
    first = sender.handle(Delivery(ident), now)
    second = sender.handle(Delivery(ident, receive_count=2), now + timedelta(seconds=1))
    assert first.status is Status.SENT and second.duplicate
    assert len(env.sms()) == 1


def test_duplicate_in_one_batch_through_the_handler(env: Env, lambdas: LambdaRunner) -> None:
    (ident,) = planned_notice(env, coverage())
    record = {"messageId": "m1", "receiptHandle": "r1", "body": json.dumps({"notice_id": ident}),
              "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
              "eventSource": "aws:sqs", "eventSourceARN": env.stack.arn("ReminderQueue"), "awsRegion": REGION}
    with time_machine.travel(at(END - timedelta(days=7), 9, 5), tick=False):
        response = lambdas.invoke("SenderFunction", {"Records": [record, record | {"messageId": "m2"}]})
    assert response == {"batchItemFailures": []}
    assert len(env.sms()) == 1


def test_concurrent_delivery_while_claimed_retries_then_sees_the_outcome(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    now = at(END - timedelta(days=7), 9, 5)
    sender = env.sender()
    fail_on(sender.dynamodb, "before-call.dynamodb.UpdateItem", "ProvisionedThroughputExceededException",
            when=lambda p: p["ExpressionAttributeValues"].get(":status", {}).get("S") == "sent")
    with pytest.raises(RetryLater, match=r"published as .* but not recorded"):
        sender.handle(Delivery(ident), now)  # published, then could not record: "sending" remains
    with pytest.raises(RetryLater):
        env.sender().handle(Delivery(ident, receive_count=2), now + timedelta(seconds=30))  # lease still held
    assert len(env.sms()) == 1


def test_crash_between_publish_and_record_never_sends_twice(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    now = at(END - timedelta(days=7), 9, 5)
    crashing = env.sender()
    fail_on(crashing.dynamodb, "before-call.dynamodb.UpdateItem", "InternalServerError",
            when=lambda p: p["ExpressionAttributeValues"].get(":status", {}).get("S") == "sent")
    with pytest.raises(RetryLater, match=r"published as .* but not recorded"):
        crashing.handle(Delivery(ident), now)
    assert env.notice(ident)["status"] == "sending" and len(env.sms()) == 1
    # The redelivery after the visibility timeout (360 s > the 180 s lease) may not publish again.
    result = env.sender().handle(Delivery(ident, receive_count=2), now + timedelta(seconds=361))
    assert result.status is Status.FAILED
    notice = env.notice(ident)
    assert (notice["status"], notice["error"]) == ("failed", OUTCOME_UNKNOWN)
    assert len(env.sms()) == 1
    assert env.sender().handle(Delivery(ident, receive_count=3), now + timedelta(hours=1)).duplicate


def test_throttling_retries_then_records_failed_and_lands_in_the_dlq(env: Env, lambdas: LambdaRunner) -> None:
    (ident,) = planned_notice(env, coverage())
    env.sqs.send_message(QueueUrl=env.queue, MessageBody=json.dumps({"notice_id": ident}))
    module = lambdas.module("SenderFunction")
    calls = fail_on(module.sender.sns, "before-call.sns.Publish", "Throttling")
    with time_machine.travel(at(END - timedelta(days=7), 9, 5), tick=True):
        stats = lambdas.drain_queue("ReminderQueue", "SenderFunction")
    assert len(calls) == 5 and stats["failed"] == 5
    notice = env.notice(ident)
    assert notice["status"] == "failed" and notice["error"].startswith("Throttling")
    assert notice["attempts"] == 5
    dlq = env.sqs.receive_message(QueueUrl=env.dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["notice_id"] for m in dlq] == [ident]
    assert env.sms() == []


def test_throttled_once_then_sent_once(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    now = at(END - timedelta(days=7), 9, 5)
    sender = env.sender()
    failures = iter([True])
    fail_on(sender.sns, "before-call.sns.Publish", "Throttling", when=lambda p: next(failures, False))
    with pytest.raises(RetryLater):
        sender.handle(Delivery(ident), now)
    assert env.notice(ident)["status"] == "planned" and env.notice(ident)["attempts"] == 1
    assert sender.handle(Delivery(ident, receive_count=2), now + timedelta(minutes=6)).status is Status.SENT
    assert len(env.sms()) == 1


@pytest.mark.parametrize(
    ("item", "status"),
    [
        pytest.param(coverage(phone=None, sms_capable=False), Status.NO_PHONE, id="no-phone"),
        pytest.param(coverage(phone="+62561631234", sms_capable=False), Status.NOT_MOBILE, id="landline"),
        pytest.param(coverage(phone="+6212345", sms_capable=False), Status.NOT_MOBILE, id="invalid-number"),
        pytest.param(coverage(phone="+6281234567899"), Status.OPTED_OUT, id="sns-opt-out-list"),
    ],
)
def test_unsendable_numbers_are_recorded_without_publishing(env: Env, item: dict[str, Any], status: Status) -> None:
    env.sns_opt_out("+6281234567899")
    (ident,) = planned_notice(env, item)
    sender = env.sender()
    publishes = count_calls(sender.sns, "sns.Publish")
    result = sender.handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert result.status is status and env.notice(ident)["status"] == status.value
    assert publishes == [] and env.sms() == []


def test_staff_opt_out_list_is_honoured(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    add_opt_out(env.dynamodb, env.notices_table, PHONE, reason="asked at the branch")
    sender = env.sender()
    opt_checks = count_calls(sender.sns, "sns.ListPhoneNumbersOptedOut")
    result = sender.handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert result.status is Status.OPTED_OUT and env.notice(ident)["opt_out"] == "staff"
    assert opt_checks == [] and env.sms() == []


def test_renewed_worker_is_not_reminded(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    env.put(coverage(start=date(2025, 6, 1), end=date(2025, 10, 31), listed_at="2025-05-28T01:00:00+00:00"))
    result = env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert result.status is Status.SUPERSEDED and env.sms() == []


def test_latest_listed_phone_is_used(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    env.put(coverage(phone="+6281311112222", listed_at="2025-03-01T01:00:00+00:00"))  # the cover listed again
    env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert [phone for phone, _ in env.sms()] == ["+6281311112222"]


def test_a_renewal_after_a_gap_does_not_supersede(env: Env) -> None:
    # Only a cover starting the day after this one ends continues it; with a gap the worker lapses.
    (ident,) = planned_notice(env, coverage())
    env.put(coverage(start=date(2025, 6, 15), end=date(2025, 11, 14), listed_at="2025-05-28T01:00:00+00:00"))
    assert env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5)).status is Status.SENT


def test_a_number_the_carrier_reported_unreachable_is_not_texted(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    env.dynamodb.put_item(TableName=env.notices_table, Item=serialize(
        {"pk": f"UNREACHABLE#{PHONE}", "e164": PHONE, "nik": "6172014509850003", "reason": "unknown subscriber",
         "added_at": "2025-04-01T02:00:00+00:00"}))
    sender = env.sender()
    publishes = count_calls(sender.sns, "sns.Publish")
    assert sender.handle(Delivery(ident), at(END - timedelta(days=7), 9, 5)).status is Status.NUMBER_FAILED
    assert env.notice(ident)["status"] == "number_failed" and publishes == [] and env.sms() == []
    # A new number on the worker is a different key: texted again.
    env.put(coverage(phone="+6281311112222", listed_at="2025-05-01T01:00:00+00:00"))
    (ident_1,) = planned_notice(env, days_left=1)
    assert env.sender().handle(Delivery(ident_1), at(END - timedelta(days=1), 9, 5)).status is Status.SENT


def test_a_batch_reads_its_notices_and_marks_in_two_requests(env: Env, lambdas: LambdaRunner) -> None:
    env.put(*[coverage(n) for n in niks(10)])
    env.plan(END - timedelta(days=7), send=False)
    messages = env.receive()
    module = lambdas.module("SenderFunction")
    module.sender.reader._sns_list = None
    gets = count_calls(module.sender.dynamodb, "dynamodb.BatchGetItem")
    lists = count_calls(module.sender.sns, "sns.ListPhoneNumbersOptedOut")
    event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                          "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
                          "eventSource": "aws:sqs", "eventSourceARN": env.stack.arn("ReminderQueue"),
                          "awsRegion": REGION} for m in messages]}
    writes = count_calls(module.sender.dynamodb, "dynamodb.BatchWriteItem")
    with time_machine.travel(at(END - timedelta(days=7), 9, 5), tick=False):
        assert lambdas.invoke("SenderFunction", event) == {"batchItemFailures": []}
    assert (len(gets), len(lists), len(writes), len(env.sms())) == (2, 1, 1, 10)
    notices = env.notices()
    assert all(n["status"] == "sent" and n["sns_message_id"] and "claim_id" not in n for n in notices)


def _records(env: Env, messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                         "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
                         "eventSource": "aws:sqs", "eventSourceARN": env.stack.arn("ReminderQueue"),
                         "awsRegion": REGION} for m in messages]}


def test_a_batch_whose_sent_records_fail_is_retried_and_never_sent_twice(env: Env, lambdas: LambdaRunner) -> None:
    env.put(*[coverage(n) for n in niks(3)])
    env.plan(END - timedelta(days=7), send=False)
    event = _records(env, env.receive())
    module = lambdas.module("SenderFunction")
    fail_on(module.sender.dynamodb, "before-call.dynamodb.BatchWriteItem", "InternalServerError")
    now = at(END - timedelta(days=7), 9, 5)
    with time_machine.travel(now, tick=False):
        response = lambdas.invoke("SenderFunction", event)
    assert len(response["batchItemFailures"]) == 3 and len(env.sms()) == 3
    assert {n["status"] for n in env.notices()} == {"sending"}
    with time_machine.travel(now + timedelta(seconds=361), tick=False):  # redelivered after the lease
        again = env.sender().handle(Delivery(env.notices()[0]["notice_id"], receive_count=2))
    assert again.status is Status.FAILED and len(env.sms()) == 3


def test_a_batch_whose_read_fails_reads_each_notice_alone(env: Env, lambdas: LambdaRunner) -> None:
    env.put(*[coverage(n) for n in niks(3)])
    env.plan(END - timedelta(days=7), send=False)
    event = _records(env, env.receive())
    module = lambdas.module("SenderFunction")
    failures = iter([True])
    gets = fail_on(module.sender.dynamodb, "before-call.dynamodb.BatchGetItem", "InternalServerError",
                   when=lambda p: next(failures, False))
    with time_machine.travel(at(END - timedelta(days=7), 9, 5), tick=False):
        assert lambdas.invoke("SenderFunction", event) == {"batchItemFailures": []}
    assert len(gets) == 1 + 3 * 2 and len(env.sms()) == 3  # the batch's first read, then two per notice
    assert {n["status"] for n in env.notices()} == {"sent"}


def test_after_the_cover_ended_nothing_is_sent(env: Env) -> None:
    (ident,) = planned_notice(env, coverage(), days_left=1)
    result = env.sender().handle(Delivery(ident), at(END + timedelta(days=1), 9, 0))
    assert result.status is Status.EXPIRED and env.sms() == []


@pytest.mark.parametrize(
    ("hour", "minute"),
    [pytest.param(20, 0, id="20:00"), pytest.param(23, 30, id="23:30"), pytest.param(7, 59, id="07:59")],
)
def test_sender_outside_the_window_defers_until_eight(env: Env, hour: int, minute: int) -> None:
    (ident,) = planned_notice(env, coverage())
    env.sqs.send_message(QueueUrl=env.queue, MessageBody=json.dumps({"notice_id": ident}))
    (message,) = env.receive()
    sender = env.sender()
    changes = count_calls(sender.sqs, "sqs.ChangeMessageVisibility")
    now = at(END - timedelta(days=6), hour, minute)
    with pytest.raises(RetryLater):
        sender.handle(Delivery(ident, 1, message["ReceiptHandle"]), now)
    (change,) = changes
    opens = at((now + timedelta(hours=5)).date() if hour >= 20 else now.date(), 8)
    wanted = (opens - now).total_seconds()
    assert abs(change["VisibilityTimeout"] - min(wanted, VISIBILITY_MAX_SECONDS)) <= 1
    assert change["VisibilityTimeout"] <= 12 * 3600 - 60  # SQS refuses 12 h counted from the receive
    assert env.notice(ident)["status"] == "planned" and env.sms() == []


def test_deferral_on_the_last_receive_hands_over_to_a_fresh_message(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    body = env.seal(ident)
    delivery = Delivery(ident, receive_count=4, receipt_handle="r", body=body)
    sender = env.sender()
    sends = count_calls(sender.sqs, "sqs.SendMessage")
    result = sender.handle(delivery, at(END - timedelta(days=6), 21))
    assert result.status is Status.PLANNED and result.deferred_until is not None
    assert env.sms() == []
    (fresh,) = sends  # the same sealed body: the sender seals nothing itself
    assert fresh["MessageBody"] == body and env.open(fresh["MessageBody"]) == ident




def _worker_item(nik: str, *periods: tuple[str, date, date]) -> dict[str, Any]:
    """A worker's own item as ingestion writes it (``intake.store.worker_items``): every cover's period."""
    return worker_key(nik) | {"type": "worker", "nik": nik,
                              "covers": [Period(p, start, end).token() for p, start, end in periods]}


@pytest.mark.parametrize(
    ("later_start", "status"),
    [
        pytest.param(END + timedelta(days=10), Status.SUPERSEDED, id="renewed-in-another-program-after-a-gap"),
        pytest.param(END - timedelta(days=30), Status.SUPERSEDED, id="renewed-ahead-overlapping"),
        pytest.param(END + timedelta(days=91), Status.SENT, id="a-later-enrolment-is-not-a-renewal"),
    ],
)
def test_renewed_is_the_one_definition_over_the_workers_periods(env: Env, later_start: date, status: Status) -> None:
    own = coverage()
    later = coverage(program="pekerja-sawit", start=later_start, end=later_start + timedelta(days=364))
    env.put(later, _worker_item(str(own["nik"]), (str(own["program"]), date.fromisoformat(own["coverage_start"]), END),
                                ("pekerja-sawit", later_start, later_start + timedelta(days=364))))
    (ident,) = [i for i in planned_notice(env, own) if "#pekerja-rentan#" in i]
    result = env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert result.status is status and len(env.sms()) == (status is Status.SENT)


def test_a_batch_with_workers_items_still_reads_in_two_requests(env: Env, lambdas: LambdaRunner) -> None:
    start = date.fromisoformat(coverage()["coverage_start"])
    env.put(*[coverage(n) for n in niks(10)], *[_worker_item(n, ("pekerja-rentan", start, END)) for n in niks(10)])
    env.plan(END - timedelta(days=7), send=False)
    module = lambdas.module("SenderFunction")
    gets = count_calls(module.sender.dynamodb, "dynamodb.BatchGetItem")
    with time_machine.travel(at(END - timedelta(days=7), 9, 5), tick=False):
        assert lambdas.invoke("SenderFunction", _records(env, env.receive())) == {"batchItemFailures": []}
    assert (len(gets), len(env.sms())) == (2, 10)


def test_the_workers_latest_number_from_any_list_is_texted(env: Env) -> None:
    own = coverage()
    start = date.fromisoformat(own["coverage_start"])
    newer = _worker_item(str(own["nik"]), ("pekerja-rentan", start, END)) | {
        "phone": "+6281355556666", "phone_listed_at": "2025-04-01T01:00:00+00:00"}  # given by another list
    env.put(newer)
    (ident,) = planned_notice(env, own)
    assert env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5)).status is Status.SENT
    assert [phone for phone, _ in env.sms()] == ["+6281355556666"]


def test_a_worker_item_without_a_number_keeps_the_covers_own(env: Env) -> None:
    own = coverage()
    env.put(_worker_item(str(own["nik"]), ("pekerja-rentan", date.fromisoformat(own["coverage_start"]), END)))
    (ident,) = planned_notice(env, own)
    env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert [phone for phone, _ in env.sms()] == [PHONE]


def test_the_latest_number_reported_dead_is_not_texted(env: Env) -> None:
    own = coverage()
    start = date.fromisoformat(own["coverage_start"])
    env.put(_worker_item(str(own["nik"]), ("pekerja-rentan", start, END)) | {
        "phone": "+6281355556666", "phone_listed_at": "2025-04-01T01:00:00+00:00"})
    (ident,) = planned_notice(env, own)
    env.dynamodb.put_item(TableName=env.notices_table, Item=serialize(
        {"pk": "UNREACHABLE#+6281355556666", "e164": "+6281355556666", "nik": own["nik"],
         "reason": "unknown subscriber", "added_at": "2025-04-20T02:00:00+00:00"}))
    result = env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert result.status is Status.NUMBER_FAILED and env.sms() == []


def test_a_dead_first_number_falls_back_to_the_second_of_its_cell(env: Env) -> None:
    own = coverage()
    env.put(_worker_item(str(own["nik"]), ("pekerja-rentan", date.fromisoformat(own["coverage_start"]), END)) | {
        "phone": "+6281355556666", "phone_fallback": "+6285277778888",
        "phone_listed_at": "2025-04-01T01:00:00+00:00"})
    (ident,) = planned_notice(env, own)
    env.dynamodb.put_item(TableName=env.notices_table, Item=serialize(
        {"pk": "UNREACHABLE#+6281355556666", "e164": "+6281355556666", "nik": own["nik"],
         "reason": "unknown subscriber", "added_at": "2025-04-20T02:00:00+00:00"}))
    assert env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5)).status is Status.SENT
    assert [phone for phone, _ in env.sms()] == ["+6285277778888"]
