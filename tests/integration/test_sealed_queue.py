"""No NIK in clear on the reminder queue or its DLQ (``lindungi.reminders.sealed``), with the functions as the
template runs them on moto: what the planner queues, what the sender reads back (within its grants), what a
body it cannot open becomes (the DLQ, its notice queued again), and the DLQ command on both."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from typing import Any

import boto3
import pytest
import time_machine
from botocore.exceptions import ClientError

from lindungi.config import programs
from lindungi.dynamo import deserialize
from lindungi.intake.store import write_items
from lindungi.ops.cli import main
from lindungi.reminders.planner import run_time
from lindungi.reminders.sealed import Sealer
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import REGION, Stack
from lindungi_dev.grants import CallRecorder, missing_grants
from lindungi_dev.reminders_local import published_sms, scheduled_event_for
from lindungi_dev.samples import coverages

END = date(2025, 5, 31)
DAY = END - timedelta(days=7)


def _workers(aws: Stack, n: int) -> list[str]:
    niks = [f"61720145098{i:05d}" for i in range(n)]
    covers = [coverages.coverage(nik, program="pekerja-rentan", end=END, phone=f"+6281234{i:06d}", sms_capable=True)
              for i, nik in enumerate(niks)]
    write_items(boto3.client("dynamodb", region_name=REGION), aws.physical("WorkersTable"), covers)
    return niks


def _take(aws: Stack, queue: str) -> list[str]:
    """Every body on the queue, taken off it."""
    sqs: Any = boto3.client("sqs", region_name=REGION)
    url, bodies = aws.physical(queue), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for m in batch:
            bodies.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return bodies


def _depth(aws: Stack, queue: str) -> int:
    sqs: Any = boto3.client("sqs", region_name=REGION)
    got = sqs.get_queue_attributes(QueueUrl=aws.physical(queue), AttributeNames=["ApproximateNumberOfMessages"])
    return int(got["Attributes"]["ApproximateNumberOfMessages"])


def _notices(aws: Stack) -> dict[str, dict[str, Any]]:
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=aws.physical("NoticesTable"))["Items"]
    return {i["notice_id"]: i for i in map(deserialize, items) if str(i["pk"]).startswith("NOTICE#")}


def test_queued_bodies_hold_no_nik_and_the_sender_opens_them_within_its_grants(
    aws: Stack, lambdas: LambdaRunner,
) -> None:
    niks = _workers(aws, 12)
    recorder = CallRecorder(aws)
    with time_machine.travel(run_time(DAY, programs()), tick=True), recorder.recording():
        assert lambdas.invoke("PlannerFunction", scheduled_event_for(DAY))["enqueued"] == 12
        sqs: Any = boto3.client("sqs", region_name=REGION)
        seen = sqs.receive_message(QueueUrl=aws.physical("ReminderQueue"), MaxNumberOfMessages=10,
                                   VisibilityTimeout=0)["Messages"]
        assert seen and not any(nik in m["Body"] or nik[4:12] in m["Body"] for m in seen for nik in niks)
        decrypts: list[dict[str, Any]] = []
        lambdas.module("SenderFunction").sender.opener.kms.meta.events.register(
            "before-parameter-build.kms.Decrypt", lambda params, **_: decrypts.append(params))
        stats = lambdas.drain_queue("ReminderQueue", "SenderFunction")
    assert stats["messages"] >= 12 and stats["failed"] == 0
    assert len(published_sms(REGION)) == 12 and len(decrypts) == 1  # one run, one data key, one Decrypt
    assert {("PlannerFunction", "kms:GenerateDataKey", "DataKey"), ("SenderFunction", "kms:Decrypt", "DataKey")} <= {
        (c.function, c.action, c.resource) for c in recorder.calls}
    assert missing_grants(aws, recorder.calls) == []


def _tampered(body: str) -> str:
    raw = json.loads(body)
    ct = bytearray(base64.b64decode(raw["ct"]))
    ct[0] ^= 1
    return json.dumps(raw | {"ct": base64.b64encode(bytes(ct)).decode()})


@pytest.fixture(autouse=True)
def _dlq_url(aws: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack outputs an operator exports (REMINDER_QUEUE_KEY is the functions' own, already set)."""
    monkeypatch.setenv("REMINDER_DLQ_URL", aws.physical("ReminderDLQ"))


def test_a_body_tampered_or_sealed_with_another_key_ends_in_the_dlq_and_its_notice_goes_the_next_day(
    aws: Stack, lambdas: LambdaRunner, capsys: pytest.CaptureFixture[str],
) -> None:
    niks = _workers(aws, 2)
    # Within the day (moto's SQS drops a message older than its retention by the clock), then the next day.
    with time_machine.travel(run_time(DAY, programs()), tick=True):
        _refused_on_the_day(aws, lambdas, capsys, niks)
    nxt = DAY + timedelta(days=1)
    with time_machine.travel(run_time(nxt, programs()), tick=True), lambdas.feeding("ReminderQueue"):
        assert lambdas.invoke("PlannerFunction", scheduled_event_for(nxt))["requeued"] == 2
    # Both were still in the outbox and are queued again, freshly sealed: each goes once.
    assert {n["status"] for n in _notices(aws).values()} == {"sent"} and len(published_sms(REGION)) == 2


def _refused_on_the_day(aws: Stack, lambdas: LambdaRunner, capsys: pytest.CaptureFixture[str],
                        niks: list[str]) -> None:
    assert lambdas.invoke("PlannerFunction", scheduled_event_for(DAY))["enqueued"] == 2
    first, second = sorted(_notices(aws))
    mine = _take(aws, "ReminderQueue")
    kms: Any = boto3.client("kms", region_name=REGION)
    other = kms.create_key(Description="another stack's DataKey")["KeyMetadata"]["Arn"]
    sqs: Any = boto3.client("sqs", region_name=REGION)
    for body in (_tampered(mine[0]), Sealer(kms, other).seal(second)):
        sqs.send_message(QueueUrl=aws.physical("ReminderQueue"), MessageBody=body)

    stats = lambdas.drain_queue("ReminderQueue", "SenderFunction")
    maximum = int(aws.parameter("ReminderMaxReceiveCount"))
    assert stats["failed"] == stats["messages"] == 2 * maximum  # refused on every receive, then moved
    assert _depth(aws, "ReminderQueue") == 0 and _depth(aws, "ReminderDLQ") == 2
    assert published_sms(REGION) == []
    notices = _notices(aws)
    assert {notices[i]["status"] for i in (first, second)} == {"planned"}  # untouched, not lost:
    assert {notices[i].get("outbox") for i in (first, second)} == {"pending"}  # still in the outbox

    capsys.readouterr()
    assert main(["reminder-dlq", "list"]) == 0
    out, err = capsys.readouterr()
    listed = json.loads(out)
    assert sorted(letter["body"] for letter in listed["letters"]) == ["refused", "refused"]
    whys = sorted(listed["by_error"])
    assert whys[0].startswith("refused: other_key: sealed with " + other) and whys[1].startswith("refused: tampered")
    assert not any(nik in out + err for nik in niks)
    assert main(["reminder-dlq", "clear"]) == 1 and _depth(aws, "ReminderDLQ") == 2  # left until looked at
    capsys.readouterr()
    assert main(["reminder-dlq", "clear", "--drop-refused"]) == 0
    assert json.loads(capsys.readouterr().out)["deleted"] == 2 and _depth(aws, "ReminderDLQ") == 0


def test_a_reminder_that_failed_every_delivery_is_listed_masked_then_cleared(
    aws: Stack, lambdas: LambdaRunner, capsys: pytest.CaptureFixture[str],
) -> None:
    (nik,) = _workers(aws, 1)
    with time_machine.travel(run_time(DAY, programs()), tick=True):
        _a_reminder_fails_every_delivery(lambdas)
        assert _depth(aws, "ReminderDLQ") == 1
        _the_dlq_command_round_trip(aws, capsys, nik)


def _a_reminder_fails_every_delivery(lambdas: LambdaRunner) -> None:
    assert lambdas.invoke("PlannerFunction", scheduled_event_for(DAY))["enqueued"] == 1

    def throttled(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish")

    events = lambdas.module("SenderFunction").sender.sns.meta.events
    events.register("before-call.sns.Publish", throttled)
    try:
        lambdas.drain_queue("ReminderQueue", "SenderFunction")
    finally:
        events.unregister("before-call.sns.Publish", throttled)


def _the_dlq_command_round_trip(aws: Stack, capsys: pytest.CaptureFixture[str], nik: str) -> None:

    capsys.readouterr()
    assert main(["reminder-dlq", "list"]) == 0
    out, err = capsys.readouterr()
    (letter,) = json.loads(out)["letters"]
    assert letter["body"] == "sealed" and letter["status"] == "failed" and letter["error"].startswith("Throttling")
    assert letter["notice"].startswith(nik[:4] + "********" + nik[-4:] + "#pekerja-rentan#")
    assert nik not in out + err
    assert main(["reminder-dlq", "clear"]) == 0 and _depth(aws, "ReminderDLQ") == 0
    assert [n["status"] for n in _notices(aws).values()] == ["failed"] and published_sms(REGION) == []
