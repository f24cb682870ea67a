"""Delivery receipts against moto: real notices planned and sent by the real planner and sender, then SNS's
delivery-status records applied to them, directly and through ReceiptsFunction with the CloudWatch Logs event
the emulator builds (``LambdaRunner.deliver_receipts``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
import time_machine
from moto.sns.models import sns_backends

from lindungi.config import programs
from lindungi.dynamo import deserialize, serialize
from lindungi.intake.store import write_items
from lindungi.reminders.notices import Status, notice_pk, unreachable_pk
from lindungi.reminders.planner import Planner, run_time
from lindungi.reminders.receipts import (
    CarrierClass,
    Outcome,
    Receipt,
    Receipts,
    parse,
)
from lindungi.reminders.sealed import Opener
from lindungi.reminders.sender import Delivery, Sender
from lindungi.settings import PlannerSettings, ReceiptsSettings, SenderSettings
from lindungi_dev.emulator import carrier
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import ACCOUNT, REGION, Stack
from lindungi_dev.samples import coverages

PROGRAM = "pekerja-rentan"
END = date(2025, 5, 31)
PHONE = "+6281234567891"
WIB = programs().timezone


def coverage(nik: str = "6172014509850003", phone: str = PHONE, end: date = END) -> dict[str, Any]:
    return coverages.coverage(nik, program=PROGRAM, end=end, phone=phone, sms_capable=True)


class Env:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
        self.sqs: Any = boto3.client("sqs", region_name=REGION)
        self.kms: Any = boto3.client("kms", region_name=REGION)
        self.table = stack.physical("NoticesTable")
        self.receipts = Receipts(self.dynamodb, ReceiptsSettings.from_env(), programs())

    def planner(self) -> Planner:
        return Planner(self.dynamodb, self.sqs, self.kms, PlannerSettings.from_env(), programs())

    def sender(self) -> Sender:
        return Sender(self.dynamodb, boto3.client("sns", region_name=REGION), self.sqs, self.kms,
                      SenderSettings.from_env(), programs())

    def queued(self) -> list[str]:
        url, out = self.stack.physical("ReminderQueue"), []
        while batch := self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for m in batch:
                out.append(Opener(self.kms, self.stack.arn("DataKey")).open(m["Body"]).notice_id)
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return out

    def send_day(self, day: date) -> list[str]:
        """The day's 09:00 WIB planner run, then each queued notice through the sender at 09:05."""
        self.planner().run(run_time(day, programs()))
        sent = []
        for ident in self.queued():
            result = self.sender().handle(Delivery(ident), at(day, 9, 5))
            sent.append(ident) if result.status is Status.SENT else None
        return sent

    def notice(self, ident: str) -> dict[str, Any]:
        return deserialize(self.dynamodb.get_item(TableName=self.table, Key=serialize({"pk": notice_pk(ident)}))
                           ["Item"])

    def unreachable(self, e164: str) -> dict[str, Any] | None:
        got = self.dynamodb.get_item(TableName=self.table, Key=serialize({"pk": unreachable_pk(e164)}))
        return deserialize(got["Item"]) if "Item" in got else None


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


def receipt_for(message_id: str, response: str, *, delivered: bool = False, when: datetime | None = None,
                number: str = PHONE) -> Receipt:
    when = when or at(END - timedelta(days=7), 9, 6)
    record = carrier.status_record(message_id, number, delivered, response, when.astimezone(UTC))
    return parse(json.dumps(record))


@pytest.fixture
def env(aws: Stack) -> Env:
    return Env(aws)


@pytest.fixture(autouse=True)
def _clear_sms() -> Iterator[None]:
    yield
    for backend in sns_backends[ACCOUNT].values():
        backend.sms_messages.clear()


def sent_notice(env: Env, days_left: int = 7, **kwargs: Any) -> dict[str, Any]:
    write_items(env.dynamodb, env.stack.physical("WorkersTable"), [coverage(**kwargs)])
    (ident,) = env.send_day(END - timedelta(days=days_left))
    return env.notice(ident)


def test_delivered_receipt_records_the_carrier_outcome_once(env: Env) -> None:
    notice = sent_notice(env)
    receipt = receipt_for(notice["sns_message_id"], carrier.ACCEPTED, delivered=True)
    first = env.receipts.apply(receipt)
    after = env.notice(notice["notice_id"])
    assert (first.outcome, first.program, first.stage) == (Outcome.DELIVERED, PROGRAM, 7)
    assert after["status"] == "delivered" and after["price_usd"] == Decimal("0.0339")
    assert after["carrier_at"] == "2025-05-24T02:06:01+00:00"  # published 09:06 WIB, + 1,871 ms until the ack
    again = env.receipts.apply(receipt)
    assert again.outcome is Outcome.DUPLICATE and env.notice(notice["notice_id"]) == after


def test_a_batch_of_receipts_costs_two_reads_and_a_write_each(env: Env) -> None:
    from lindungi.reminders.receipts import INDEXED
    from lindungi_dev.emulator.template import load_template

    (index,) = [i for i in load_template()["Resources"]["NoticesTable"]["Properties"]["GlobalSecondaryIndexes"]
                if i["IndexName"] == "ByMessageId"]
    assert index["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(INDEXED)}
    delivered, dead = sent_notice(env), sent_notice(env, nik="6172014509850004", phone="+6281234567810")
    calls: list[str] = []
    env.dynamodb.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    env.receipts.apply_all([receipt_for(delivered["sns_message_id"], carrier.ACCEPTED, delivered=True),
                            receipt_for(dead["sns_message_id"], carrier.INVALID, number="+6281234567810")])
    # The pointers, the notices (one BatchGetItem each for the whole batch), then one write per receipt and
    # the number's mark.
    assert calls == ["BatchGetItem", "BatchGetItem", "UpdateItem", "PutItem", "UpdateItem"]
    assert [env.notice(n["notice_id"])["status"] for n in (delivered, dead)] == ["delivered", "carrier_failed"]


def test_a_notice_whose_pointer_is_missing_is_found_in_the_index(env: Env) -> None:
    notice = sent_notice(env)
    env.dynamodb.delete_item(TableName=env.table, Key=serialize({"pk": "SMS#" + notice["sns_message_id"]}))
    calls: list[str] = []
    env.dynamodb.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    applied = env.receipts.apply(receipt_for(notice["sns_message_id"], carrier.ACCEPTED, delivered=True))
    assert applied.outcome is Outcome.DELIVERED and calls == ["BatchGetItem", "Query", "UpdateItem"]


def test_the_same_record_twice_in_one_batch_is_applied_once(env: Env) -> None:
    notice = sent_notice(env)
    receipt = receipt_for(notice["sns_message_id"], carrier.INVALID)
    first, second = env.receipts.apply_all([receipt, receipt])
    assert (first.outcome, first.number_marked) == (Outcome.CARRIER_FAILED, True)
    assert (second.outcome, second.number_marked, second.notice_id) == (Outcome.DUPLICATE, False,
                                                                         notice["notice_id"])


def test_receipt_for_an_unknown_message_changes_nothing(env: Env) -> None:
    notice = sent_notice(env)
    applied = env.receipts.apply(receipt_for("00000000-0000-0000-0000-000000000000", carrier.ACCEPTED,
                                             delivered=True))
    assert applied.outcome is Outcome.UNKNOWN_MESSAGE and applied.notice_id is None
    assert env.notice(notice["notice_id"]) == notice


def test_temporary_failure_is_sent_once_more_the_next_day_then_final(env: Env) -> None:
    notice = sent_notice(env)
    first_id = notice["sns_message_id"]
    applied = env.receipts.apply(receipt_for(first_id, carrier.UNREACHABLE))
    planned = env.notice(notice["notice_id"])
    assert applied.outcome is Outcome.RETRY_PLANNED and applied.carrier_class is CarrierClass.TEMPORARY
    assert (planned["status"], planned["outbox"], planned["carrier_retries"]) == ("planned", "pending", 1)
    assert planned["planned_at"] == "2025-05-25T01:00:00+00:00"  # the next day, 08:00 WIB
    assert env.receipts.apply(receipt_for(first_id, carrier.UNREACHABLE)).outcome is Outcome.DUPLICATE

    # The next day's planner run finds it in the outbox; the sender sends it again, once.
    resent = env.send_day(END - timedelta(days=6))
    assert resent == [notice["notice_id"]]
    second_id = env.notice(notice["notice_id"])["sns_message_id"]
    assert second_id != first_id
    assert len(sns_backends[ACCOUNT][REGION].sms_messages) == 2

    final = env.receipts.apply(receipt_for(second_id, carrier.UNREACHABLE, when=at(END - timedelta(days=6), 9)))
    after = env.notice(notice["notice_id"])
    assert final.outcome is Outcome.CARRIER_FAILED
    assert (after["status"], after["carrier_class"]) == ("carrier_failed", "temporary")
    assert after["carrier_reason"] == carrier.UNREACHABLE and after["carrier_retries"] == 1
    assert env.send_day(END - timedelta(days=5)) == [] and len(sns_backends[ACCOUNT][REGION].sms_messages) == 2
    assert env.unreachable(PHONE) is None  # temporary: the number is not marked


def test_temporary_failure_after_the_covers_last_day_is_final(env: Env) -> None:
    notice = sent_notice(env, days_left=1)
    on_the_last_day = receipt_for(notice["sns_message_id"], carrier.UNREACHABLE, when=at(END, 10))
    assert env.receipts.apply(on_the_last_day).outcome is Outcome.CARRIER_FAILED
    assert env.notice(notice["notice_id"])["status"] == "carrier_failed"


def test_permanent_failure_marks_the_number_unreachable(env: Env) -> None:
    notice = sent_notice(env)
    applied = env.receipts.apply(receipt_for(notice["sns_message_id"], carrier.INVALID))
    assert applied.outcome is Outcome.CARRIER_FAILED and applied.number_marked
    after = env.notice(notice["notice_id"])
    assert (after["status"], after["carrier_class"], after["carrier_reason"]) == (
        "carrier_failed", "permanent", "Invalid phone number")
    marked = env.unreachable(PHONE)
    assert marked is not None
    assert {k: marked[k] for k in ("type", "e164", "nik", "reason")} == {
        "type": "unreachable", "e164": PHONE, "nik": "6172014509850003", "reason": "Invalid phone number"}
    assert marked["added_at"].startswith("2025-05-24T")
    later = receipt_for(notice["sns_message_id"], carrier.INVALID, when=at(END - timedelta(days=6), 9))
    assert env.receipts.apply(later).outcome is Outcome.DUPLICATE  # the same record again, replayed a day later
    assert env.unreachable(PHONE) == marked and env.notice(notice["notice_id"]) == after


def test_a_crash_between_marking_the_number_and_recording_the_notice_is_finished_by_the_retry(env: Env) -> None:
    from botocore.exceptions import ClientError

    notice = sent_notice(env)
    receipt = receipt_for(notice["sns_message_id"], carrier.INVALID)

    def unavailable(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, "UpdateItem")

    env.dynamodb.meta.events.register("before-call.dynamodb.UpdateItem", unavailable)
    with pytest.raises(ClientError):
        env.receipts.apply(receipt)  # the batch fails; CloudWatch Logs' invoke is retried
    env.dynamodb.meta.events.unregister("before-call.dynamodb.UpdateItem", unavailable)
    assert env.unreachable(PHONE) is not None and env.notice(notice["notice_id"])["status"] == "sent"
    applied = env.receipts.apply(receipt)
    assert applied.outcome is Outcome.CARRIER_FAILED and applied.number_marked
    assert env.notice(notice["notice_id"])["status"] == "carrier_failed"


def test_unknown_reason_is_final_and_marks_nothing(env: Env) -> None:
    notice = sent_notice(env)
    applied = env.receipts.apply(receipt_for(notice["sns_message_id"], "Phone carrier has blocked this message"))
    assert applied.outcome is Outcome.CARRIER_FAILED and not applied.number_marked
    assert env.notice(notice["notice_id"])["carrier_class"] == "unknown"
    assert env.unreachable(PHONE) is None


def test_the_function_records_what_the_emulated_carrier_answered(env: Env, lambdas: LambdaRunner,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    numbers = {"+6281234567891": "delivered", "+6281234567890": "carrier_failed",
               "+6281234567888": "carrier_failed", "+6281234567809": "planned"}
    items = [coverage(f"61720145098500{i:02d}", phone=number) for i, number in enumerate(numbers, start=10)]
    write_items(env.dynamodb, env.stack.physical("WorkersTable"), items)
    day = END - timedelta(days=7)
    with time_machine.travel(run_time(day, programs()), tick=True):
        lambdas.invoke("PlannerFunction", scheduled_event(day))
        lambdas.drain_queue("ReminderQueue", "SenderFunction")
        counts = lambdas.deliver_receipts()
        again = lambdas.deliver_receipts()
    assert counts == {"sms_delivered": 1, "sms_failed": 3, "invocations": 2, "invocations_failed": 0,
                      "delivered": 1, "carrier_failed": 2, "retry_planned": 1}
    assert again == {}  # every SMS is answered once
    by_phone = {n["phone"]: n["status"] for n in (env.notice(_ident(i)) for i in items)}
    assert by_phone == numbers
    assert env.unreachable("+6281234567890") is not None and env.unreachable("+6281234567888") is None
    out = capsys.readouterr().out
    assert "+6281234567890" not in out and '"outcome":"delivered"' in out.replace(" ", "")


def _ident(item: dict[str, Any]) -> str:
    return f"{item['nik']}#{item['program']}#{item['coverage_start']}#7"


def scheduled_event(day: date) -> dict[str, Any]:
    with open("events/planner-schedule.json", encoding="utf-8") as f:
        event: dict[str, Any] = json.load(f)
    event["time"] = run_time(day, programs()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


def test_the_sample_event_runs_through_the_function(env: Env, lambdas: LambdaRunner) -> None:
    notice = sent_notice(env)
    with open("events/receipts-cloudwatch-logs.json", encoding="utf-8") as f:
        event = json.load(f)
    result = lambdas.invoke("ReceiptsFunction", event)
    assert result["outcomes"] == {"unknown_message": 2}  # the sample's message ids are no notice's
    assert env.notice(notice["notice_id"]) == notice


def test_a_control_message_is_acknowledged_and_changes_nothing(env: Env, lambdas: LambdaRunner) -> None:
    """CloudWatch Logs sends one when a subscription is created, to check it can reach the function."""
    import base64
    import gzip

    control = {"id": "", "timestamp": 1748052314102,
               "message": "CWL CONTROL MESSAGE: Checking health of destination Lambda."}
    batch = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
             "subscriptionFilters": [], "logEvents": [control]}
    event = {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(batch).encode())).decode()}}
    assert lambdas.invoke("ReceiptsFunction", event)["outcomes"] == {}


def test_the_function_calls_only_what_it_is_granted(env: Env, lambdas: LambdaRunner) -> None:
    from lindungi_dev.grants import CallRecorder, missing_grants

    write_items(env.dynamodb, env.stack.physical("WorkersTable"),
                [coverage("6172014509850021", "+6281234567891"), coverage("6172014509850022", "+6281234567890"),
                 coverage("6172014509850023", "+6281234567809")])
    day = END - timedelta(days=7)
    recorder = CallRecorder(env.stack)
    with time_machine.travel(run_time(day, programs()), tick=True):
        lambdas.invoke("PlannerFunction", scheduled_event(day))
        lambdas.drain_queue("ReminderQueue", "SenderFunction")
        with recorder.recording():
            assert lambdas.deliver_receipts()["invocations_failed"] == 0
    calls = {(c.action, c.resource) for c in recorder.calls if c.function == "ReceiptsFunction"}
    # Every notice has its SMS pointer, so the ByMessageId fallback (granted too) is not called.
    assert calls == {("dynamodb:BatchGetItem", "NoticesTable"), ("dynamodb:UpdateItem", "NoticesTable"),
                     ("dynamodb:PutItem", "NoticesTable")}
    assert missing_grants(env.stack, recorder.calls) == []


@pytest.mark.parametrize("managed", ["true", "false"])
def test_both_delivery_status_log_groups_feed_the_function(managed: str) -> None:
    """Whether the stack creates SNS's log groups or they were there before, both are subscribed."""
    from lindungi_dev.emulator.template import load_template

    stack = Stack(load_template(), overrides={"ManageSmsDeliveryLogGroups": managed})
    groups = carrier.log_groups(stack)
    assert carrier.subscriptions(stack) == {
        groups["success"]: [("SmsDeliveryReceipts", "ReceiptsFunction")],
        groups["failure"]: [("SmsDeliveryFailureReceipts", "ReceiptsFunction")],
    }
    resources = stack.resources
    permissions = {stack.resolve(r["Properties"]["SourceArn"])
                   for r in stack.of_type("AWS::Lambda::Permission").values()
                   if r["Properties"]["FunctionName"] == {"Fn::GetAtt": ["ReceiptsFunction", "Arn"]}}
    prefix = f"arn:aws:logs:{stack.region}:{stack.account}:log-group:"
    assert permissions == {prefix + groups["success"] + ":*", prefix + groups["failure"] + ":*"}
    for name in ("SmsDeliveryReceipts", "SmsDeliveryFailureReceipts"):
        assert resources[resources[name]["DependsOn"]]["Type"] == "AWS::Lambda::Permission"


def test_dashboard_and_alarm_read_the_metrics_the_function_emits(env: Env, lambdas: LambdaRunner,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Delivered vs failed per stage and program: the dashboard's SEARCH schema is the emitted dimension set."""
    import re

    write_items(env.dynamodb, env.stack.physical("WorkersTable"),
                [coverage("6172014509850031", "+6281234567891"), coverage("6172014509850032", "+6281234567890"),
                 coverage("6172014509850033", "+6281234567819")])
    day = END - timedelta(days=7)
    with time_machine.travel(run_time(day, programs()), tick=True):
        lambdas.invoke("PlannerFunction", scheduled_event(day))
        lambdas.drain_queue("ReminderQueue", "SenderFunction")
        capsys.readouterr()
        lambdas.deliver_receipts()
    emitted: dict[str, set[tuple[str, ...]]] = {}
    for line in capsys.readouterr().out.splitlines():
        if '"_aws"' in line:
            blob = json.loads(line)
            for directive in blob["_aws"]["CloudWatchMetrics"]:
                dims = tuple(sorted(d for group in directive["Dimensions"] for d in group))
                for metric in directive["Metrics"]:
                    emitted.setdefault(metric["Name"], set()).add(dims)
                    if dims == ("program", "service", "stage"):
                        assert (blob["program"], blob["stage"], blob["service"]) == (PROGRAM, "7", "receipts")
    per_notice = ("program", "service", "stage")
    for name in ("NoticeDelivered", "NoticeCarrierFailed", "NoticeCarrierRetried", "NumberMarkedUnreachable"):
        assert emitted[name] == {("service",), per_notice}, name

    resources = env.stack.resources
    dashboard = resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"].replace('\\"', '"')
    searched = re.findall(r"""SEARCH\('\{Lindungi,([a-z,]+)\} service="receipts" MetricName="(\w+)"'""", dashboard)
    assert {name for dims, name in searched if tuple(dims.split(",")) == per_notice} >= {
        "NoticeDelivered", "NoticeCarrierFailed", "NoticeCarrierRetried", "NumberMarkedUnreachable"}
    alarm = resources["CarrierFailureRatioAlarm"]["Properties"]["Metrics"]
    watched = {(m["MetricStat"]["Metric"]["MetricName"],
                tuple(d["Name"] for d in m["MetricStat"]["Metric"]["Dimensions"])) for m in alarm if "MetricStat" in m}
    assert watched == {("NoticeDelivered", ("service",)), ("NoticeCarrierFailed", ("service",))}


# ------------------------------------------------------------------------------------------ hostile records

FORGED = "SITI AMINAH"


def _forged(record: dict[str, Any], what: str) -> dict[str, Any]:
    delivery, notification = record["delivery"], record["notification"]
    if what == "dwell-not-a-number":
        delivery["dwellTimeMsUntilDeviceAck"] = FORGED
    elif what == "price-not-a-number":
        delivery["priceInUSD"] = FORGED
    elif what == "price-nan":
        delivery["priceInUSD"] = "NaN"
    elif what == "delivery-not-an-object":
        record["delivery"] = [FORGED]
    elif what == "timestamp-out-of-range":
        notification["timestamp"] = "9999-12-31 23:59:59.999"
    elif what == "message-id-not-a-string":
        notification["messageId"] = {"x": FORGED}
    elif what == "destination-not-a-string":
        delivery["destination"] = [FORGED]
    return record


FORGERIES = ["dwell-not-a-number", "price-not-a-number", "price-nan", "delivery-not-an-object",
             "timestamp-out-of-range", "message-id-not-a-string", "destination-not-a-string"]


@pytest.mark.parametrize("what", FORGERIES)
def test_an_odd_record_is_set_aside_alone_and_the_batch_is_applied(
    env: Env, lambdas: LambdaRunner, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    """Once, a non-numeric dwell time (and the rest) raised outside the parse guard: the whole batch of up to
    500 failed three times, then again on every replay, with ``int(): 'SITI AMINAH'`` in its traceback."""
    good, other = sent_notice(env), sent_notice(env, nik="6172014509850004", phone="+6281234567810")
    when = at(END - timedelta(days=7), 9, 6).astimezone(UTC)
    records = [carrier.status_record(good["sns_message_id"], PHONE, True, carrier.ACCEPTED, when),
               _forged(carrier.status_record(other["sns_message_id"], "+6281234567810", True,
                                                  carrier.ACCEPTED, when), what)]
    groups = carrier.log_groups(env.stack)
    event = carrier.awslogs_event(env.stack, groups["success"], "f", [(1, json.dumps(r)) for r in records])
    capsys.readouterr()
    result = lambdas.invoke("ReceiptsFunction", event)
    assert result["outcomes"] == {"delivered": 1, "unreadable": 1}
    assert env.notice(good["notice_id"])["status"] == "delivered"
    assert env.notice(other["notice_id"])["status"] == "sent"  # set aside: not guessed
    assert FORGED not in capsys.readouterr().out  # no forged value in a log line or a traceback


def test_a_payload_inflating_past_its_bound_is_set_aside_without_inflating_it(env: Env,
                                                                               lambdas: LambdaRunner) -> None:
    import base64
    import gzip
    import resource

    from lindungi.reminders.receipts import PAYLOAD_MAX_BYTES

    bomb = gzip.compress(b'{"messageType": "DATA_MESSAGE", "logEvents": [' + b" " * (4 * PAYLOAD_MAX_BYTES) + b"]}")
    assert len(bomb) < PAYLOAD_MAX_BYTES // 100
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = lambdas.invoke("ReceiptsFunction", {"awslogs": {"data": base64.b64encode(bomb).decode()}})
    assert result["outcomes"] == {"payload_unreadable": 1}
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 3 * PAYLOAD_MAX_BYTES / 2**20  # never the 64 MB it would inflate to


def test_a_receipt_naming_another_number_than_its_notice_changes_nothing(env: Env) -> None:
    """A receipt's destination is checked against the number the notice was sent to."""
    notice = sent_notice(env)
    applied = env.receipts.apply(receipt_for(notice["sns_message_id"], carrier.INVALID, number="+6281299999999"))
    assert applied.outcome is Outcome.WRONG_NUMBER and not applied.number_marked
    assert env.notice(notice["notice_id"]) == notice
    assert env.receipts.apply(receipt_for(notice["sns_message_id"], carrier.INVALID)).number_marked


def test_a_replayed_receipt_is_checked_against_its_notice_with_both_numbers_masked(env: Env) -> None:
    """``ReceiptsFailedQueue`` keeps destinations masked; a replay still refuses another number's mask."""
    from lindungi.phone import mask

    notice = sent_notice(env)
    other = receipt_for(notice["sns_message_id"], carrier.INVALID, number=mask("+6281299999999"))
    assert env.receipts.apply(other).outcome is Outcome.WRONG_NUMBER
    assert env.notice(notice["notice_id"]) == notice
    own = receipt_for(notice["sns_message_id"], carrier.INVALID, number=mask(notice["phone"]))
    assert env.receipts.apply(own).number_marked
