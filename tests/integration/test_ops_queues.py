"""The operators' failure queues hold no full number or NIK and each has its command: receipts the function could
not record are kept masked and replayed (``replay-receipts``); the reminder DLQ is listed, then emptied of what
is recorded (``reminder-dlq``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.sns.models import sns_backends

from lindungi.config import programs
from lindungi.dynamo import Unprocessed, deserialize, serialize
from lindungi.intake.store import write_items
from lindungi.ops.reminder_dlq import drain
from lindungi.ops.replay import replay_receipts
from lindungi.reminders.failed_receipts import MAX_MESSAGE_BYTES, failure_messages
from lindungi.reminders.notices import Status, notice_pk
from lindungi.reminders.planner import Planner, run_time
from lindungi.reminders.sealed import Opener, Sealer
from lindungi.reminders.sender import Delivery, Sender
from lindungi.settings import PlannerSettings, SenderSettings
from lindungi_dev.emulator import carrier as sms_receipts
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import ACCOUNT, REGION, Stack
from lindungi_dev.samples import coverages

END = date(2025, 5, 31)
WIB = programs().timezone
NIKS = ["6172014509850003", "6172014509850011", "6172014509850029"]
PHONES = ["+6281234567891", "+6281234567892", "+6281234567893"]


@pytest.fixture(autouse=True)
def _clear_sms() -> Iterator[None]:
    yield
    for backend in sns_backends[ACCOUNT].values():
        backend.sms_messages.clear()


def _sent(aws: Stack) -> list[dict[str, Any]]:
    """Three notices planned and sent for real (planner, then sender) on the 7-day stage."""
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
    sqs: Any = boto3.client("sqs", region_name=REGION)
    write_items(dynamodb, aws.physical("WorkersTable"),
                [coverages.coverage(n, end=END, phone=p, sms_capable=True) for n, p in zip(NIKS, PHONES, strict=True)])
    day = END - timedelta(days=7)
    kms: Any = boto3.client("kms", region_name=REGION)
    report = Planner(dynamodb, sqs, kms, PlannerSettings.from_env(), programs()).run(run_time(day, programs()))
    sender = Sender(dynamodb, boto3.client("sns", region_name=REGION), sqs, kms, SenderSettings.from_env(), programs())
    when = datetime(day.year, day.month, day.day, 9, 5, tzinfo=WIB)
    for ident in report.notice_ids:
        assert sender.handle(Delivery(ident), when).status is Status.SENT
    return [_notice(aws, i) for i in report.notice_ids]


def _notice(aws: Stack, ident: str) -> dict[str, Any]:
    got = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=aws.physical("NoticesTable"), Key=serialize({"pk": notice_pk(ident)}))
    return deserialize(got["Item"])


def _bodies(aws: Stack, queue: str) -> list[str]:
    sqs: Any = boto3.client("sqs", region_name=REGION)
    url, out = aws.physical(queue), []
    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", []):
        out.append(m["Body"])
    return out


def _held(aws: Stack, queue: str) -> int:
    """Messages in the queue, visible or in flight."""
    attrs = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=aws.physical(queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def _no_personal_data(text: str) -> None:
    for secret in NIKS + PHONES + [p.removeprefix("+") for p in PHONES]:
        assert secret not in text


@pytest.mark.parametrize("fault", [
    ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, "BatchGetItem"),
    Unprocessed("DynamoDB left keys unprocessed"),
])
def test_a_batch_the_function_cannot_record_is_kept_masked_then_replayed(
    aws: Stack, lambdas: LambdaRunner, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    fault: Exception,
) -> None:
    notices = _sent(aws)
    module = lambdas.module("ReceiptsFunction")

    def down(**_: Any) -> Any:
        raise fault

    monkeypatch.setattr(module.receipts.dynamodb, "batch_get_item", down)
    kept_now = datetime.now(UTC)
    records = [(int(kept_now.timestamp() * 1000), json.dumps(sms_receipts.status_record(
        n["sns_message_id"], p, True, sms_receipts.ACCEPTED, kept_now))) for n, p in zip(notices, PHONES, strict=True)]
    group = sms_receipts.log_groups(aws)["success"]
    result = lambdas.invoke_async("ReceiptsFunction", sms_receipts.awslogs_event(aws, group, "f", records))
    assert result["ok"] and result["result"]["kept_for_replay"] == 3  # handled: no retry, no OnFailure record
    (body,) = _bodies(aws, "ReceiptsFailedQueue")
    _no_personal_data(body)
    kept = json.loads(body)
    assert kept["function"] == f"{aws.name}-ReceiptsFunction" and kept["error_type"] == type(fault).__name__
    assert [json.loads(e["message"])["delivery"]["destination"] for e in kept["events"]] == \
        ["+62812****7891", "+62812****7892", "+62812****7893"]
    _no_personal_data(capsys.readouterr().out)  # the function's own log lines too
    assert {_notice(aws, n["notice_id"])["status"] for n in notices} == {"sent"}

    monkeypatch.undo()  # the cause is fixed
    sqs: Any = boto3.client("sqs", region_name=REGION)
    url = aws.physical("ReceiptsFailedQueue")
    dry = replay_receipts(sqs, url, lambda f, p: pytest.fail("a dry run invokes nothing"), dry_run=True)
    assert dry["receipts"] == 3 and len(_bodies(aws, "ReceiptsFailedQueue")) == 1

    def invoke(function: str, payload: dict[str, Any]) -> None:  # Lambda's Event invoke, by the emulator
        assert function == f"{aws.name}-ReceiptsFunction"
        assert lambdas.invoke_async("ReceiptsFunction", payload)["ok"]

    done = replay_receipts(sqs, url, invoke)
    assert done["receipts"] == 3 and done["skipped"] == []
    assert {_notice(aws, n["notice_id"])["status"] for n in notices} == {"delivered"}
    assert _held(aws, "ReceiptsFailedQueue") == 0
    again = replay_receipts(sqs, url, invoke)  # nothing left: nothing done
    assert again["replayed"] == []


def test_replay_receipts_leaves_what_it_cannot_replay(aws: Stack) -> None:
    sqs: Any = boto3.client("sqs", region_name=REGION)
    url = aws.physical("ReceiptsFailedQueue")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"requestPayload": {"awslogs": {}}}))  # an old record
    (good,) = failure_messages("fn", "g", "s", [{"id": "1", "timestamp": 1, "message": "{}"}], "ClientError")
    sqs.send_message(QueueUrl=url, MessageBody=good)

    def refused(function: str, payload: dict[str, Any]) -> None:
        raise RuntimeError("throttled")

    result = replay_receipts(sqs, url, refused)
    assert result["replayed"] == [] and len(result["skipped"]) == 2
    assert "not a kept batch" in result["skipped"][0]["why"] + result["skipped"][1]["why"]
    assert _held(aws, "ReceiptsFailedQueue") == 2


def test_a_large_batch_is_kept_in_messages_sqs_accepts() -> None:
    events = [{"id": str(i), "timestamp": i, "message": json.dumps(sms_receipts.status_record(
        f"m{i}", f"+62812{i:08d}", True, sms_receipts.ACCEPTED, datetime(2025, 5, 24, tzinfo=UTC)))}
        for i in range(3000)]
    bodies = list(failure_messages("fn", "g", "s", events, "ClientError"))
    assert len(bodies) > 1 and all(len(b.encode()) <= MAX_MESSAGE_BYTES for b in bodies)
    assert sum(len(json.loads(b)["events"]) for b in bodies) == 3000
    assert "+6281200000042" not in "".join(bodies)


def test_the_reminder_dlq_is_listed_masked_then_emptied_of_what_is_recorded(aws: Stack) -> None:
    notices = _sent(aws)
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
    sqs: Any = boto3.client("sqs", region_name=REGION)
    table, url = aws.physical("NoticesTable"), aws.physical("ReminderDLQ")
    kms: Any = boto3.client("kms", region_name=REGION)
    sealer, opener = Sealer(kms, aws.arn("DataKey")), Opener(kms, aws.arn("DataKey"))
    failed, unknown, pending = (n["notice_id"] for n in notices)
    for ident, status, error in ((failed, "failed", "InvalidParameter"), (unknown, "failed", "outcome_unknown"),
                                 (pending, "planned", None)):
        sets = {"#s": "status", "#e": "error"}
        dynamodb.update_item(TableName=table, Key=serialize({"pk": notice_pk(ident)}), ExpressionAttributeNames=sets,
                             UpdateExpression="SET #s = :s, #e = :e",
                             ExpressionAttributeValues=serialize({":s": status, ":e": error}))
        sqs.send_message(QueueUrl=url, MessageBody=sealer.seal(ident))
    sqs.send_message(QueueUrl=url, MessageBody="not json")

    listed = drain(sqs, dynamodb, opener, url, table, clear=False)
    assert len(listed.letters) == 4 and listed.deleted == 0
    assert listed.to_dict()["by_error"] == {"InvalidParameter": 1, "outcome_unknown": 1, "None": 1,
                                            "refused: malformed: not JSON": 1}
    _no_personal_data(json.dumps(listed.to_dict()))
    waiting = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert waiting["Attributes"]["ApproximateNumberOfMessages"] == "4"  # listing leaves every message visible

    cleared = drain(sqs, dynamodb, opener, url, table, clear=True)
    assert cleared.deleted == 2
    assert sorted(left["why"] for left in cleared.left) == ["notice still planned", "refused: malformed: not JSON"]
    waiting = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert waiting["Attributes"]["ApproximateNumberOfMessages"] == "2"
    shown = drain(sqs, dynamodb, opener, url, table, clear=False, show_nik=True)
    assert any(NIKS[2] in letter.notice for letter in shown.letters)  # asked for: the NIK to look the worker up


def test_the_runbooks_queue_commands_run_from_the_stack_outputs(
    aws: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from lindungi.ops.cli import main

    sqs: Any = boto3.client("sqs", region_name=REGION)
    monkeypatch.setenv("REMINDER_DLQ_URL", aws.physical("ReminderDLQ"))
    monkeypatch.setenv("RECEIPTS_FAILED_QUEUE_URL", aws.physical("ReceiptsFailedQueue"))
    body = Sealer(boto3.client("kms", region_name=REGION), aws.arn("DataKey")).seal(f"{NIKS[0]}#pekerja-rentan#x#7")
    sqs.send_message(QueueUrl=aws.physical("ReminderDLQ"), MessageBody=body)
    (kept,) = failure_messages("fn", "g", "s", [{"id": "1", "timestamp": 1, "message": "{}"}], "ClientError")
    sqs.send_message(QueueUrl=aws.physical("ReceiptsFailedQueue"), MessageBody=kept)
    capsys.readouterr()
    assert main(["reminder-dlq", "list"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["messages"] == 1 and NIKS[0] not in out + err and '"audit":"reminder-dlq list"' in err
    assert main(["reminder-dlq", "clear"]) == 1  # the notice does not exist: left, and said so
    assert "no such notice" in capsys.readouterr().out
    assert main(["replay-receipts", "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["receipts"] == 1
    monkeypatch.delenv("REMINDER_DLQ_URL")
    assert main(["reminder-dlq", "list"]) == 2  # says where the URL comes from


def test_the_runbooks_rekap_command_writes_the_days_rekap_to_the_bucket(
    aws: Stack, capsys: pytest.CaptureFixture[str],
) -> None:
    from lindungi.ops.cli import main

    bucket = aws.physical("UploadBucket")
    assert main(["rekap", "--today", "2025-05-01", "--bucket", bucket]) == 0
    keys = [o["Key"] for o in boto3.client("s3", region_name=REGION).list_objects_v2(
        Bucket=bucket, Prefix="reports/rekap/").get("Contents", [])]
    assert any(k.startswith("reports/rekap/2025-05-01") for k in keys), keys
