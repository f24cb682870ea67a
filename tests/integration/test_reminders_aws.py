"""Renewal reminders against moto, with the tables and queues of template.yaml.

Planner and sender run as the real domain objects (and, where it matters, through the Lambda handlers);
faults are injected with botocore's own event hooks, not by mocking our code. moto keeps every SMS it
was asked to publish (``sms_messages``), which is how "sent once" is checked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
import time_machine
from botocore.exceptions import ClientError
from moto.core.botocore_stubber import BotocoreStubber
from moto.sns.models import sns_backends

from lindungi.config import programs
from lindungi.intake.readers.base import RowRef
from lindungi.intake.store import Source, coverage_item, write_items
from lindungi.ops.optout import add_opt_out
from lindungi.reminders.notices import OUTCOME_UNKNOWN, Status, deserialize, notice_id, notice_pk, serialize
from lindungi.reminders.planner import Planner, PlannerSettings, PlanReport, run_time
from lindungi.reminders.sender import Delivery, RetryLater, Sender, SenderSettings
from lindungi.rows import Accepted
from lindungi_dev.emulator import ACCOUNT, REGION, LambdaRunner, Stack

PROGRAM = "pekerja-rentan"
START = date(2025, 1, 1)
END = date(2025, 5, 31)
PHONE = "+6281234567890"


# ---------------------------------------------------------------- helpers

def coverage(nik: str = "6172014509850003", *, end: date = END, start: date = START, phone: str | None = PHONE,
             sms_capable: bool = True, listed_at: str = "2025-01-05T03:00:00+00:00", name: str = "SITI AMINAH",
             program: str = PROGRAM) -> dict[str, Any]:
    row = Accepted(row=RowRef(line=5, sheet="Kec. Barat"), nik=nik, name=name, phone=phone, program=program,
                   coverage_start=start, coverage_end=end, sms_capable=sms_capable)
    source = Source(bucket="lists", key=f"incoming/{program}/daftar.xlsx", version_id=None, sha256="0" * 64,
                    listed_at=listed_at)
    return coverage_item(row, source, programs())


def niks(n: int) -> list[str]:
    return [f"61720145098{i:05d}"[:12] + f"{i + 1:04d}" for i in range(n)]


class Env:
    """The reminder pieces wired to the moto stack."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
        self.sqs: Any = boto3.client("sqs", region_name=REGION)
        self.sns: Any = boto3.client("sns", region_name=REGION)
        self.workers = stack.physical("WorkersTable")
        self.notices_table = stack.physical("NoticesTable")
        self.queue = stack.physical("ReminderQueue")
        self.dlq = stack.physical("ReminderDLQ")

    def put(self, *items: dict[str, Any]) -> None:
        write_items(self.dynamodb, self.workers, items)

    def planner(self, **overrides: Any) -> Planner:
        """A planner with clients of its own, so faults injected into it stay in it."""
        settings = PlannerSettings(**{**PlannerSettings.from_env().__dict__, **overrides})
        return Planner(boto3.client("dynamodb", region_name=REGION), boto3.client("sqs", region_name=REGION),
                       settings, programs())

    def sender(self, **overrides: Any) -> Sender:
        settings = SenderSettings(**{**SenderSettings.from_env().__dict__, **overrides})
        return Sender(boto3.client("dynamodb", region_name=REGION), boto3.client("sns", region_name=REGION),
                      boto3.client("sqs", region_name=REGION), settings, programs())

    def plan(self, day: date, hour: int = 9, **overrides: Any) -> Any:
        return self.planner(**overrides).run(run_time(day, programs(), hour))

    def receive(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10,
                                                AttributeNames=["All"]).get("Messages", []):
            out += batch
        return out

    def queued_ids(self) -> list[str]:
        return [json.loads(m["Body"])["notice_id"] for m in self.receive()]

    def notice(self, ident: str) -> dict[str, Any]:
        item = self.dynamodb.get_item(TableName=self.notices_table, Key=serialize({"pk": notice_pk(ident)}))
        return deserialize(item["Item"])

    def notices(self) -> list[dict[str, Any]]:
        items = self.dynamodb.scan(TableName=self.notices_table)["Items"]  # tests only: the code never scans
        return [deserialize(i) for i in items if i["pk"]["S"].startswith("NOTICE#")]

    def remind_key(self, item: dict[str, Any]) -> str | None:
        got = self.dynamodb.get_item(TableName=self.workers, Key=serialize({"pk": item["pk"], "sk": item["sk"]}))
        return deserialize(got["Item"]).get("remind_key")

    @staticmethod
    def sms() -> list[tuple[str, str]]:
        return list(sns_backends[ACCOUNT][REGION].sms_messages.values())


@pytest.fixture
def env(aws: Stack) -> Env:
    return Env(aws)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=programs().timezone)


def fail_on(client: Any, event: str, error: str = "Throttling",
            when: Callable[[dict[str, Any]], bool] = lambda params: True) -> list[dict[str, Any]]:
    """Make ``client`` raise ``error`` on ``event`` (e.g. "before-call.sns.Publish"); returns the calls seen."""
    calls: list[dict[str, Any]] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)
        if when(params):
            raise ClientError({"Error": {"Code": error, "Message": "injected"}}, event.rsplit(".", 1)[-1])

    client.meta.events.register(f"before-parameter-build.{event.split('.', 1)[1]}", hook)
    return calls


def count_calls(client: Any, operation: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    client.meta.events.register(f"before-parameter-build.{operation}", lambda params, **_: calls.append(params))
    return calls


# ---------------------------------------------------------------- planner: which stage, when

@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        pytest.param(31, None, id="31-days-not-yet-due"),
        pytest.param(30, 30, id="30-days-exact"),
        pytest.param(8, 30, id="8-days-30-still-owed"),
        pytest.param(7, 7, id="7-days-missed-30-catches-up-with-7"),
        pytest.param(2, 7, id="2-days-missed-gives-7"),
        pytest.param(1, 1, id="1-day-exact"),
        pytest.param(0, 1, id="ends-today-gets-last-stage"),
        pytest.param(-1, None, id="ended-yesterday-never"),
    ],
)
def test_first_run_plans_the_most_urgent_stage_still_due(env: Env, days_left: int, stage: int | None) -> None:
    item = coverage()
    env.put(item)
    today = END - timedelta(days=days_left)
    report = env.plan(today)
    if stage is None:
        assert report.planned == 0 and env.queued_ids() == []
        return
    assert report.planned == 1 and report.by_stage == {str(stage): 1}
    assert env.queued_ids() == [notice_id(item["nik"], PROGRAM, "2025-01-01", stage)]
    following = {30: f"{PROGRAM}#7", 7: f"{PROGRAM}#1", 1: None}[stage]
    assert env.remind_key(item) == following


def test_daily_runs_send_each_stage_once_on_its_day(env: Env) -> None:
    env.put(coverage())
    planned: dict[date, dict[str, int]] = {}
    for offset in range(-45, 3):
        day = END + timedelta(days=offset)
        report = env.plan(day)
        if report.planned:
            planned[day] = report.by_stage
    assert planned == {END - timedelta(days=30): {"30": 1}, END - timedelta(days=7): {"7": 1},
                       END - timedelta(days=1): {"1": 1}}


@pytest.mark.parametrize(
    ("run_days", "expected"),
    [
        pytest.param([5, 0], {5: "7", 0: "1"}, id="missed-30-then-runs-5-and-0"),
        pytest.param([12, 3], {12: "30", 3: "7"}, id="late-30-then-7"),
        pytest.param([-1, -2], {}, id="only-after-the-end-nothing"),
        pytest.param([0, 0], {0: "1"}, id="twice-on-the-last-day-once"),
    ],
)
def test_missed_days_catch_up_without_repeats(env: Env, run_days: list[int], expected: dict[int, str]) -> None:
    env.put(coverage())
    got = {}
    for days_left in run_days:
        report = env.plan(END - timedelta(days=days_left))
        if report.planned:
            got[days_left] = next(iter(report.by_stage))
    assert got == expected


def test_ended_cover_is_never_read(env: Env) -> None:
    env.put(coverage(end=date(2025, 5, 20)), coverage("6172014509850011", end=date(2025, 6, 10)))
    report = env.plan(date(2025, 5, 25))
    assert report.items_read == 1  # only the cover ending 10 June; the ended one is below the key condition
    assert report.planned == 1


@pytest.mark.parametrize(
    ("hour", "minute", "planned"),
    [
        pytest.param(7, 59, 0, id="07:59-closed"),
        pytest.param(8, 0, 1, id="08:00-open"),
        pytest.param(19, 59, 1, id="19:59-open"),
        pytest.param(20, 0, 0, id="20:00-closed"),
        pytest.param(2, 0, 0, id="02:00-closed"),
    ],
)
def test_planner_respects_the_send_window(env: Env, hour: int, minute: int, planned: int) -> None:
    env.put(coverage())
    report = env.planner().run(at(END - timedelta(days=7), hour, minute))
    assert report.planned == planned
    assert report.in_window is bool(planned)


def test_ceiling_leaves_the_rest_due_for_the_next_day(env: Env) -> None:
    env.put(*[coverage(n) for n in niks(5)])
    first = env.plan(END - timedelta(days=30), max_per_run=3)
    assert (first.planned, first.ceiling_reached) == (3, True)
    assert first.items_read == 3  # the ceiling also bounds what is read
    second = env.plan(END - timedelta(days=29), max_per_run=3)
    assert (second.planned, second.ceiling_reached) == (2, False)
    assert len(env.queued_ids()) == 5


def test_ceiling_takes_the_most_urgent_stage_first(env: Env) -> None:
    urgent = coverage("6172014509850011", end=date(2025, 5, 2))  # 1 day left, in the 30-day partition
    env.put(urgent, *[coverage(n, end=date(2025, 5, 31)) for n in niks(3)])
    env.put(coverage("6172014509850012", end=date(2025, 5, 2)) | {"remind_key": f"{PROGRAM}#1"})
    report = env.plan(date(2025, 5, 1), max_per_run=1)
    assert report.by_stage == {"1": 1}


# ---------------------------------------------------------------- planner: once, even twice at once

def test_second_run_the_same_day_plans_nothing(env: Env) -> None:
    env.put(*[coverage(n) for n in niks(4)])
    day = END - timedelta(days=7)
    assert env.plan(day).planned == 4
    again = env.plan(day)
    assert (again.planned, again.items_read) == (0, 0)
    assert len(env.queued_ids()) == 4


def test_interleaved_planners_plan_each_notice_once(env: Env) -> None:
    env.put(*[coverage(n) for n in niks(6)])
    day = END - timedelta(days=7)
    now = run_time(day, programs())
    a, b = env.planner(), env.planner()
    # A reads everything due; B runs start to finish; then A plans and queues what it had read.
    report_a = PlanReport(run_at="", today=day.isoformat())
    pages = list(a.find_due(day, report_a))
    report_b = b.run(now)
    for page in pages:
        a.enqueue(a.plan(page, day, now, report_a), report_a)
    assert report_b.planned == 6
    assert (report_a.planned, report_a.lost_race, report_a.enqueued) == (0, 6, 0)
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 6


def test_two_planners_at_once_in_threads(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    # moto's in-process backends are not thread-safe (a transaction deep-copies the tables): serialise
    # each request, so the two planners interleave request by request, as they would against DynamoDB.
    lock = threading.Lock()
    handle = BotocoreStubber.__call__

    def serialised(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return handle(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", serialised)
    env.put(*[coverage(n) for n in niks(30)])
    now = run_time(END - timedelta(days=30), programs())
    reports: list[Any] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        reports.append(env.planner(threads=4).run(now))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.planned for r in reports) == 30
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 30


def test_list_uploaded_again_does_not_plan_a_stage_twice(env: Env) -> None:
    item = coverage()
    env.put(item)
    assert env.plan(END - timedelta(days=7)).planned == 1
    env.put(item)  # re-upload: remind_key back to the first stage
    again = env.plan(END - timedelta(days=6))
    assert (again.planned, again.already_planned) == (0, 1)
    assert env.remind_key(item) == f"{PROGRAM}#1"
    assert env.plan(END - timedelta(days=1)).by_stage == {"1": 1}


def test_crash_between_transaction_and_queue_is_requeued_from_the_outbox(env: Env) -> None:
    env.put(coverage())
    day = END - timedelta(days=7)
    broken = env.planner()
    fail_on(broken.sqs, "before-call.sqs.SendMessageBatch", "InternalError")
    with pytest.raises(ClientError):
        broken.run(run_time(day, programs()))
    assert env.queued_ids() == []
    (notice,) = env.notices()
    assert notice["outbox"] == "pending"
    soon = env.planner().run(run_time(day, programs()) + timedelta(minutes=5))
    assert soon.requeued == 0  # within the grace period the first run may still be sending
    later = env.planner().run(run_time(day, programs()) + timedelta(minutes=20))
    assert (later.requeued, later.planned) == (1, 0)
    assert env.queued_ids() == [notice["notice_id"]]
    assert "outbox" not in env.notice(notice["notice_id"])


# ---------------------------------------------------------------- sender

def planned_notice(env: Env, *items: dict[str, Any], days_left: int = 7) -> list[str]:
    env.put(*items)
    env.plan(END - timedelta(days=days_left))
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
    opt_checks = count_calls(sender.sns, "sns.CheckIfPhoneNumberIsOptedOut")
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
    env.put(coverage(program="pekerja-sawit", end=date(2025, 12, 31), phone="+6281311112222",
                     listed_at="2025-03-01T01:00:00+00:00"))
    env.sender().handle(Delivery(ident), at(END - timedelta(days=7), 9, 5))
    assert [phone for phone, _ in env.sms()] == ["+6281311112222"]


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
    assert abs(change["VisibilityTimeout"] - (opens - now).total_seconds()) <= 1
    assert env.notice(ident)["status"] == "planned" and env.sms() == []


def test_deferral_on_the_last_receive_hands_over_to_a_fresh_message(env: Env) -> None:
    (ident,) = planned_notice(env, coverage())
    result = env.sender().handle(Delivery(ident, receive_count=4, receipt_handle="r"), at(END - timedelta(days=6), 21))
    assert result.status is Status.PLANNED and result.deferred_until is not None
    assert env.sms() == []


# ---------------------------------------------------------------- through the functions

def scheduled_event(day: date) -> dict[str, Any]:
    with open("events/planner-schedule.json", encoding="utf-8") as f:
        event = json.load(f)
    event["time"] = run_time(day, programs()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


def test_planner_and_sender_functions_end_to_end(env: Env, lambdas: LambdaRunner) -> None:
    env.put(coverage(), coverage("6172014509850011", phone=None, sms_capable=False),
            coverage("6172014509850012", phone="+6281234567899"))
    day = END - timedelta(days=30)
    with time_machine.travel(run_time(day, programs()), tick=True):
        report = lambdas.invoke("PlannerFunction", scheduled_event(day))
        stats = lambdas.drain_queue("ReminderQueue", "SenderFunction")
    assert report["planned"] == 3 and stats["failed"] == 0
    assert sorted(n["status"] for n in env.notices()) == ["no_phone", "opted_out", "sent"]
    assert len(env.sms()) == 1


def test_sample_events_decode() -> None:
    with open("events/sender-sqs-batch.json", encoding="utf-8") as f:
        batch = json.load(f)
    assert [r["attributes"]["ApproximateReceiveCount"] for r in batch["Records"]] == ["1", "3"]
    assert scheduled_event(date(2025, 5, 24))["time"] == "2025-05-24T02:00:00Z"


@pytest.fixture(autouse=True)
def _clear_sms() -> Iterator[None]:
    yield
    for backend in sns_backends[ACCOUNT].values():
        backend.sms_messages.clear()


def test_remind_command_plans_for_the_given_day(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    from lindungi.ops.cli import main

    env.put(coverage())
    assert main(["remind", "--today", (END - timedelta(days=7)).isoformat(), "--dry-run"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["dry_run"] and preview["by_stage"] == {"7": 1} and env.queued_ids() == []
    assert main(["remind", "--today", (END - timedelta(days=7)).isoformat()]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["planned"] == 1 and len(env.queued_ids()) == 1
