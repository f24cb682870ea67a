"""The pause switch on the emulator (``python -m lindungi sms pause|resume|status``): AWS's own switches, the
planner's schedule and the sender's event source mapping, turned off and on again; what was planned meanwhile
waits on the queue and goes after resume, once each, never after its cover ended."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import boto3
import pytest
import time_machine
from moto.sns.models import sns_backends

from lindungi.config import programs
from lindungi.dynamo import deserialize, serialize
from lindungi.intake.store import write_items
from lindungi.ops.cli import main
from lindungi.reminders.notices import notice_pk
from lindungi.reminders.planner import run_time
from lindungi.reminders.sealed import Opener, Sealer
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import ACCOUNT, REGION, Stack
from lindungi_dev.reminders_local import published_sms, scheduled_event_for
from lindungi_dev.samples import coverages

END = date(2025, 5, 31)
DAY = END - timedelta(days=7)  # the 7-day stage of the covers ending on END
SOON = DAY + timedelta(days=1)  # covers ending the next day: their 1-day stage is due on DAY too


@pytest.fixture(autouse=True)
def _clear_sms() -> Iterator[None]:
    yield
    for backend in sns_backends[ACCOUNT].values():
        backend.sms_messages.clear()


@pytest.fixture
def switches(aws: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """The stack outputs the command reads (PlannerScheduleName, SenderFunctionName)."""
    monkeypatch.setenv("PLANNER_SCHEDULE_NAME", aws.physical("PlannerFunctionDaily"))
    monkeypatch.setenv("SENDER_FUNCTION", aws.resolve({"Ref": "SenderFunction"}))
    return aws


def _sms(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    capsys.readouterr()  # the functions' own lines so far
    code = main(["sms", *argv])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    state: dict[str, Any] = json.loads(out)
    state["audit"] = [json.loads(line) for line in err.splitlines() if '"audit"' in line]
    return state


def _seed(aws: Stack) -> None:
    covers = [coverages.coverage(f"61720145098{i:05d}", end=END, phone=f"+6281234{i:06d}", sms_capable=True)
              for i in range(1, 13)]
    covers += [coverages.coverage(f"61720145098{i:05d}", end=SOON, phone=f"+6281234{i:06d}", sms_capable=True)
               for i in range(13, 17)]
    write_items(boto3.client("dynamodb", region_name=REGION), aws.physical("WorkersTable"), covers)


def _notices(aws: Stack) -> dict[str, str]:
    table = aws.physical("NoticesTable")
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=table)["Items"]
    return {str(i["notice_id"]): str(i["status"]) for i in map(deserialize, items) if i.get("type") == "notice"}


def _waiting(aws: Stack) -> int:
    attrs = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=aws.physical("ReminderQueue"), AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def test_pause_stops_every_sms_and_resume_sends_what_waited_once_and_never_after_the_cover_ended(
    switches: Stack, lambdas: LambdaRunner, capsys: pytest.CaptureFixture[str],
) -> None:
    aws = switches
    _seed(aws)
    assert _sms(capsys, ["status"])["sending"] == "running"
    paused = _sms(capsys, ["pause", "--reason", "wrong template text"])
    assert paused["sending"] == "paused" and paused["schedule"] == "DISABLED"
    assert set(paused["mappings"].values()) == {"Disabled"}
    (audit,) = paused["audit"]
    assert audit["audit"] == "sms paused" and audit["reason"] == "wrong template text" and audit["who"]
    assert _sms(capsys, ["pause", "--reason", "again"])["sending"] == "paused"  # twice changes nothing

    # 09:00: Scheduler fires no disabled schedule.
    with time_machine.travel(run_time(DAY, programs()), tick=False), lambdas.feeding("ReminderQueue") as fed:
        assert lambdas.on_schedule("PlannerFunction", "Daily", scheduled_event_for(DAY)) is None
        # A run already under way when the pause came (or a continuation) still plans and queues: kept.
        report = lambdas.invoke("PlannerFunction", scheduled_event_for(DAY))
        opener = Opener(boto3.client("kms", region_name=REGION), aws.arn("DataKey"))
        order = [opener.open(m["Body"]).notice_id for m in _peek(aws)]
    assert report["planned"] == report["enqueued"] == 16
    assert fed["messages"] == 0 and _waiting(aws) == 16  # the mapping is off: nothing taken off the queue
    assert published_sms(REGION) == [] and set(_notices(aws).values()) == {"planned"}
    assert lambdas.drain_queue("ReminderQueue", "SenderFunction")["messages"] == 0

    # Two days later, sending resumes: the 1-day stage of the covers that ended meanwhile is not sent.
    later = run_time(DAY + timedelta(days=2), programs()) + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        resumed = _sms(capsys, ["resume"])
        assert resumed["sending"] == "running" and resumed["audit"][0]["audit"] == "sms resumed"
        drained = lambdas.drain_queue("ReminderQueue", "SenderFunction")
        assert lambdas.drain_queue("ReminderQueue", "SenderFunction")["messages"] == 0
    assert drained["messages"] == 16 and _waiting(aws) == 0
    statuses = _notices(aws)
    assert Counter(statuses.values()) == {"sent": 12, "expired": 4}
    assert all(statuses[i] == "expired" for i in statuses if i.endswith("#1"))
    sent = published_sms(REGION)
    assert len(sent) == 12 and len({number for number, _ in sent}) == 12  # once each
    # In the order they waited (the planner queued them most urgent first).
    numbers = [f"+6281234{int(i.split('#')[0][-5:]):06d}" for i in order if statuses[i] == "sent"]
    assert [number for number, _ in sent] == numbers

    # A duplicate delivery after resume sends nothing again.
    sqs: Any = boto3.client("sqs", region_name=REGION)
    body = Sealer(boto3.client("kms", region_name=REGION), aws.arn("DataKey")).seal(order[0])
    sqs.send_message(QueueUrl=aws.physical("ReminderQueue"), MessageBody=body)
    with time_machine.travel(later, tick=False):
        lambdas.drain_queue("ReminderQueue", "SenderFunction")
    assert len(published_sms(REGION)) == 12
    # And the schedule fires again.
    with time_machine.travel(run_time(END - timedelta(days=1), programs()), tick=False):
        assert lambdas.on_schedule("PlannerFunction", "Daily", scheduled_event_for(END - timedelta(days=1)))


def _peek(aws: Stack) -> list[dict[str, Any]]:
    """The queue's messages in the order SQS hands them out, left in place."""
    sqs: Any = boto3.client("sqs", region_name=REGION)
    url, seen = aws.physical("ReminderQueue"), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages"):
        seen += batch
    for m in seen:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    return seen


def test_the_pause_is_on_the_dashboard_metric_until_resume(switches: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    cloudwatch: Any = boto3.client("cloudwatch", region_name=REGION)
    _sms(capsys, ["pause", "--reason", "carrier blocking"])
    _sms(capsys, ["resume"])
    (metric,) = cloudwatch.list_metrics(Namespace="Lindungi", MetricName="SmsPaused")["Metrics"]
    assert metric["Dimensions"] == [{"Name": "service", "Value": "ops"}]  # what SmsPausedAlarm watches
    alarm = switches.resources["SmsPausedAlarm"]["Properties"]
    assert (alarm["MetricName"], alarm["Dimensions"][0]["Value"]) == ("SmsPaused", "ops")


def test_a_pause_needs_a_reason_and_the_switches_names(aws: Stack, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("PLANNER_SCHEDULE_NAME", raising=False)
    monkeypatch.delenv("SENDER_FUNCTION", raising=False)
    assert main(["sms", "status"]) == 2
    monkeypatch.setenv("PLANNER_SCHEDULE_NAME", aws.physical("PlannerFunctionDaily"))
    monkeypatch.setenv("SENDER_FUNCTION", aws.resolve({"Ref": "SenderFunction"}))
    assert main(["sms", "pause"]) == 2
    capsys.readouterr()
    assert main(["sms", "status"]) == 0 and json.loads(capsys.readouterr().out)["sending"] == "running"


def test_a_schedule_keeps_everything_but_its_state_across_a_pause(switches: Stack,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    scheduler: Any = boto3.client("scheduler", region_name=REGION)
    name = switches.physical("PlannerFunctionDaily")
    before = {k: v for k, v in scheduler.get_schedule(Name=name).items()
              if k not in {"State", "LastModificationDate", "ResponseMetadata"}}
    _sms(capsys, ["pause", "--reason", "test"])
    _sms(capsys, ["resume"])
    after = scheduler.get_schedule(Name=name)
    assert after["State"] == "ENABLED"
    assert {k: v for k, v in after.items() if k in before} == before  # UpdateSchedule replaces the whole schedule
    assert before["ScheduleExpression"] == "cron(0 9 * * ? *)" and before["ScheduleExpressionTimezone"] == \
        "Asia/Pontianak"


def test_the_notice_table_is_untouched_by_the_switches(switches: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    """No flag in our data: the pause is AWS's switches only."""
    table = switches.physical("NoticesTable")
    _sms(capsys, ["pause", "--reason", "test"])
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
    assert dynamodb.scan(TableName=table)["Items"] == []
    assert "Item" not in dynamodb.get_item(TableName=table, Key=serialize({"pk": notice_pk("x#y#z#1")}))
