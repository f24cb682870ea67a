"""Nothing lost under faults: the ingest function on moto, with DynamoDB, S3 and Lambda failing on purpose.

Faults are injected at the AWS client the function holds (``ingestor.s3``/``ingestor.dynamodb``),
or below botocore's retry layer for throttling, so the code under test is the real one. Lambda's
own behaviour (asynchronous retries, the OnFailure destination) is the emulator's ``invoke_async``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3
import pytest
import time_machine
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from lindungi import phone
from lindungi.dynamo import Backoff
from lindungi.intake import ingest as intake_ingest
from lindungi.logs import mask_key
from lindungi_dev import samples
from lindungi_dev.emulator.lambdas import LambdaRunner, s3_put_event
from lindungi_dev.emulator.template import Stack

FUNCTION = "IngestFunction"
PROGRAM = "pekerja-rentan"
KEY = f"incoming/{PROGRAM}/daftar.csv"


class Proxy:
    """An AWS client with one method replaced; everything else goes to the real (moto) client."""

    def __init__(self, client: Any, **methods: Callable[..., Any]) -> None:
        self._client = client
        self._methods = methods

    def __getattr__(self, name: str) -> Any:
        return self._methods.get(name) or getattr(self._client, name)


class LambdaTimeout(BaseException):
    """Lambda stopping the process: nothing in the function gets to catch it or clean up."""


@pytest.fixture(autouse=True)
def _one_request_at_a_time(serialised_moto: None) -> None:
    """Every test here needs moto serialised: the ingest function writes with four threads, and one test
    runs two at once (``serialised_moto`` in conftest)."""


@pytest.fixture
def ingest(lambdas: LambdaRunner, monkeypatch: pytest.MonkeyPatch) -> Any:
    module = lambdas.module(FUNCTION)
    monkeypatch.setattr(module.ingestor, "backoff", Backoff(base=0.001, cap=0.01, attempts=4))
    return module


def upload(stack: Stack, people: list[samples.Worker], key: str = KEY) -> dict[str, Any]:
    """Put a list in the bucket and return the S3 event Lambda would receive for it."""
    data = samples.write_csv(people)
    s3 = boto3.client("s3")
    version = s3.put_object(Bucket=stack.physical("UploadBucket"), Key=key, Body=data)["VersionId"]
    return s3_put_event(stack.physical("UploadBucket"), key, len(data), "etag", version, stack.region)


def items(stack: Stack) -> list[dict[str, Any]]:
    """The coverage items (each worker's own item, ``sk = WORKER``, is beside them)."""
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=stack.physical("WorkersTable"))
    return [item for page in pages for item in page["Items"] if item["sk"]["S"].startswith("COVERAGE#")]


def report(stack: Stack, key: str = KEY) -> dict[str, Any]:
    json_key = "reports/" + key.removeprefix("incoming/") + ".json"
    body = boto3.client("s3").get_object(Bucket=stack.physical("UploadBucket"), Key=json_key)["Body"].read()
    return json.loads(body)


def failures(stack: Stack) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=stack.physical("IngestFailedQueue"), MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def idempotency_status(stack: Stack) -> list[str]:
    table = stack.physical("IdempotencyTable")
    return [i["status"]["S"] for i in boto3.client("dynamodb").scan(TableName=table)["Items"]]


def assert_stored_once(stack: Stack, people: list[samples.Worker]) -> None:
    stored = items(stack)
    keys = [(i["pk"]["S"], i["sk"]["S"]) for i in stored]
    assert len(keys) == len(set(keys)) == len(people)
    assert {i["nik"]["S"] for i in stored} == {w.nik for w in people}
    final = report(stack)
    assert final["error"] is None and len(final["accepted"]) == len(people) and final["rejected"] == []


@pytest.fixture
def people() -> list[samples.Worker]:
    return samples.workers(260, PROGRAM, seed=61)  # 11 batches of 25


# ------------------------------------------------------------------------------------- DynamoDB


def test_unprocessed_items_are_retried_until_every_row_is_stored(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest.ingestor.dynamodb
    calls = {"n": 0, "held_back": 0}
    lock = threading.Lock()

    def batch_write_item(RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        with lock:
            calls["n"] += 1
            hold = calls["n"] <= 6  # the first six requests: DynamoDB takes only part of the batch
        (table, requests), = RequestItems.items()
        if not hold or len(requests) < 2:
            return real.batch_write_item(RequestItems=RequestItems)
        half = len(requests) // 2
        real.batch_write_item(RequestItems={table: requests[:half]})
        with lock:
            calls["held_back"] += len(requests) - half
        return {"UnprocessedItems": {table: requests[half:]}}

    monkeypatch.setattr(ingest.ingestor, "dynamodb", Proxy(real, batch_write_item=batch_write_item))
    result = lambdas.invoke_async(FUNCTION, upload(aws, people))
    assert result["ok"] and result["attempts"] == 1
    assert calls["held_back"] > 0
    assert_stored_once(aws, people)
    (outcome,) = result["result"]["files"]
    assert outcome["write_requests"] == calls["n"]


def test_throttling_errors_are_retried_by_botocore(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker]
) -> None:
    """ProvisionedThroughputExceeded as DynamoDB sends it (HTTP 400): botocore's retry mode absorbs it."""
    throttled = {"n": 0}

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if throttled["n"] >= 3:
            return None  # then the real call goes through
        throttled["n"] += 1
        body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                           "message": "Rate of requests exceeds the allowed throughput."}).encode()

        class Raw:
            def stream(self, **_: Any) -> Any:
                yield body

        return AWSResponse(request.url, 400, {"x-amzn-RequestId": "throttled"}, Raw())

    events = ingest.ingestor.dynamodb.meta.events
    events.register("before-send.dynamodb.BatchWriteItem", throttle)
    try:
        result = lambdas.invoke_async(FUNCTION, upload(aws, people))
    finally:
        events.unregister("before-send.dynamodb.BatchWriteItem", throttle)
    assert result["ok"] and result["attempts"] == 1
    assert throttled["n"] == 3
    assert_stored_once(aws, people)


def test_exhausted_retries_report_store_failed_and_land_in_the_failure_destination(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest.ingestor.dynamodb

    def never(RequestItems: dict[str, Any]) -> dict[str, Any]:
        return {"UnprocessedItems": RequestItems}

    monkeypatch.setattr(ingest.ingestor, "dynamodb", Proxy(real, batch_write_item=never))
    event = upload(aws, people)
    result = lambdas.invoke_async(FUNCTION, event)
    assert not result["ok"] and result["attempts"] == 3 and "StoreError" in result["error"]
    assert report(aws)["error"]["code"] == "store_failed"
    (record,) = failures(aws)
    assert record["requestPayload"] == event  # enough to replay it
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert idempotency_status(aws) == []  # a failed run leaves no lock: the replay starts afresh


@pytest.mark.parametrize("stop", [Exception, LambdaTimeout], ids=["crash", "timeout"])
def test_stopped_halfway_then_retried_stores_each_row_once_with_one_report(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker], monkeypatch: pytest.MonkeyPatch,
    stop: type[BaseException],
) -> None:
    real = ingest.ingestor.dynamodb
    done = {"batches": 0}
    lock = threading.Lock()

    def dies_after_four(RequestItems: dict[str, Any]) -> dict[str, Any]:
        with lock:
            done["batches"] += 1
            if done["batches"] > 4:
                raise stop("stopped halfway through the file")
        return real.batch_write_item(RequestItems=RequestItems)

    monkeypatch.setattr(ingest.ingestor, "dynamodb", Proxy(real, batch_write_item=dies_after_four))
    event = upload(aws, people)
    if stop is LambdaTimeout:
        with pytest.raises(LambdaTimeout):
            lambdas.invoke(FUNCTION, event)
        assert idempotency_status(aws) == ["INPROGRESS"]  # nobody cleaned up
    else:
        assert not lambdas.invoke_async(FUNCTION, event)["ok"]
        failures(aws)  # the emulator retried the crash at once; the failure record is not the point here
    assert 0 < len(items(aws)) < len(people)

    monkeypatch.setattr(ingest.ingestor, "dynamodb", real)
    # Lambda retries after its back-off; by then a timed-out run's in-progress lock has expired.
    with time_machine.travel(timedelta(minutes=16), tick=True):
        result = lambdas.invoke_async(FUNCTION, event)
    assert result["ok"]
    (outcome,) = result["result"]["files"]
    assert outcome["error"] is None and not outcome["replayed"]
    assert_stored_once(aws, people)
    assert idempotency_status(aws) == ["COMPLETED"]


def test_a_delivery_while_the_same_content_is_in_progress_is_retried_not_dropped(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second delivery that finds the first still running (after waiting for it: not at all here) fails, so
    Lambda delivers it again later."""
    monkeypatch.setattr(intake_ingest, "TWIN_WAIT_SHARE", 0.0)
    real = ingest.ingestor.dynamodb

    def timeout(RequestItems: dict[str, Any]) -> dict[str, Any]:
        raise LambdaTimeout

    monkeypatch.setattr(ingest.ingestor, "dynamodb", Proxy(real, batch_write_item=timeout))
    event = upload(aws, people)
    with pytest.raises(LambdaTimeout):
        lambdas.invoke(FUNCTION, event)
    monkeypatch.setattr(ingest.ingestor, "dynamodb", real)
    result = lambdas.invoke_async(FUNCTION, event)  # at once: the first run's lock still holds
    assert not result["ok"] and "AlreadyInProgress" in result["error"]
    (record,) = failures(aws)
    assert record["requestPayload"] == event
    with time_machine.travel(timedelta(minutes=16), tick=True):
        assert lambdas.invoke_async(FUNCTION, record["requestPayload"])["ok"]  # the replay
    assert_stored_once(aws, people)


@pytest.mark.parametrize("twin", ["same-event", "copy-under-another-name"])
def test_a_twin_of_a_list_that_takes_minutes_to_read_waits_for_it_and_ends_in_one_report(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker], monkeypatch: pytest.MonkeyPatch,
    twin: str,
) -> None:
    """S3 delivers an event twice, or staff upload the same list under two names, while the first invocation
    is still reading it. The twin used to fail at once: Lambda's two retries come within about 3 minutes, so
    for a file that takes longer the event ended in the failure queue. Now the twin waits for the first."""
    monkeypatch.setattr(intake_ingest, "TWIN_POLL_SECONDS", 0.05)
    real = ingest.ingestor.dynamodb
    reading, release = threading.Event(), threading.Event()

    def slow_first(RequestItems: dict[str, Any]) -> dict[str, Any]:
        reading.set()
        assert release.wait(60)  # "reading" for as long as the test says
        return real.batch_write_item(RequestItems=RequestItems)

    monkeypatch.setattr(ingest.ingestor, "dynamodb", Proxy(real, batch_write_item=slow_first))
    first_event = upload(aws, people)
    twin_event = first_event if twin == "same-event" else upload(aws, people, f"incoming/{PROGRAM}/salinan.csv")
    results: dict[str, Any] = {}
    first = threading.Thread(target=lambda: results.setdefault("first", lambdas.invoke_async(FUNCTION, first_event)))
    first.start()
    assert reading.wait(30)
    second = threading.Thread(target=lambda: results.setdefault("twin", lambdas.invoke_async(FUNCTION, twin_event)))
    second.start()
    time.sleep(1.0)  # the twin finds the content in progress, and keeps asking
    assert "twin" not in results
    release.set()
    first.join(60)
    second.join(60)
    assert results["first"]["ok"] and results["twin"]["ok"], results
    assert results["twin"]["attempts"] == 1  # no failed attempt, nothing for Lambda to retry
    (outcome,) = results["twin"]["result"]["files"]
    assert outcome["replayed"] and outcome["error"] is None
    assert_stored_once(aws, people)
    assert idempotency_status(aws) == ["COMPLETED"]
    assert failures(aws) == []
    if twin == "same-event":
        assert report(aws)["error"] is None
    else:
        assert report(aws, f"incoming/{PROGRAM}/salinan.csv")["duplicate_of"] == KEY


def test_two_overlapping_lists_processed_at_once_leave_consistent_records(
    aws: Stack, lambdas: LambdaRunner, ingest: Any
) -> None:
    """Consistent: every item is whole from one list (its phone, name and source are that list's row),
    and every worker of either list has exactly one item per (program, TMT). Two invocations with four
    writer threads each, their requests interleaved one by one."""
    shared = samples.workers(150, PROGRAM, seed=62)
    first = shared + samples.workers(60, PROGRAM, seed=63, start_serial=5_000)
    second = [replace(w, phone="0813" + w.nik[-8:]) for w in shared] + samples.workers(
        60, PROGRAM, seed=64, start_serial=9_000)
    keys = {f"incoming/{PROGRAM}/kecamatan-a.csv": first, f"incoming/{PROGRAM}/kecamatan-b.csv": second}
    events = {key: upload(aws, people, key) for key, people in keys.items()}
    results: dict[str, Any] = {}
    spans: dict[str, tuple[float, float]] = {}
    together = threading.Barrier(len(keys))

    def run(key: str) -> None:
        together.wait(10)
        started = time.monotonic()
        results[key] = lambdas.invoke_async(FUNCTION, events[key])
        spans[key] = (started, time.monotonic())

    threads = [threading.Thread(target=run, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r["ok"] for r in results.values()), results
    (a_start, a_end), (b_start, b_end) = spans.values()
    assert a_start < b_end and b_start < a_end, spans  # the two invocations did run at the same time
    rows = {(key, w.nik): w for key, people in keys.items() for w in people}
    stored = items(aws)
    assert len(stored) == len({w.nik for people in keys.values() for w in people})
    for item in stored:
        source = item["source_key"]["S"]
        worker = rows[(source, item["nik"]["S"])]  # the list the item says it came from holds this worker
        assert item["name"]["S"] == worker.name
        assert item["phone"]["S"] == phone.normalize(worker.phone).e164
    for key in keys:
        assert report(aws, key)["error"] is None


# ------------------------------------------------------------------------------------------- S3


def _s3_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}}, "GetObject")


def test_s3_read_error_is_retried_then_processed(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest.ingestor.s3
    failed = {"n": 0}

    def get_object(**kwargs: Any) -> Any:
        if failed["n"] == 0:
            failed["n"] += 1
            raise _s3_error("InternalError")
        return real.get_object(**kwargs)

    monkeypatch.setattr(ingest.ingestor, "s3", Proxy(real, get_object=get_object))
    result = lambdas.invoke_async(FUNCTION, upload(aws, people))
    assert result["ok"] and result["attempts"] == 2
    assert_stored_once(aws, people)


@pytest.mark.parametrize("method", ["get_object", "put_object"], ids=["read-list", "write-report"])
def test_s3_failing_every_time_lands_in_the_failure_destination_with_the_event(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker], monkeypatch: pytest.MonkeyPatch,
    method: str,
) -> None:
    real = ingest.ingestor.s3

    def fails(**_: Any) -> Any:
        raise _s3_error("ServiceUnavailable")

    event = upload(aws, people)
    monkeypatch.setattr(ingest.ingestor, "s3", Proxy(real, **{method: fails}))
    result = lambdas.invoke_async(FUNCTION, event)
    assert not result["ok"] and result["attempts"] == 3 and "ServiceUnavailable" in result["error"]
    (record,) = failures(aws)
    assert record["requestPayload"] == event
    assert idempotency_status(aws) == []  # nothing half-done is remembered: a replay redoes it all

    monkeypatch.setattr(ingest.ingestor, "s3", real)
    assert lambdas.invoke_async(FUNCTION, record["requestPayload"])["ok"]
    assert_stored_once(aws, people)


# ---------------------------------------------------------------------------------------- replay


def waiting(sqs: Any, queue: str) -> int:
    """Messages in the queue, in view or not."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_replay_reinvokes_failed_ingestions_and_deletes_only_what_was_accepted(
    aws: Stack, lambdas: LambdaRunner, ingest: Any, people: list[samples.Worker], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lindungi.ops.replay import replay

    real = ingest.ingestor.s3
    monkeypatch.setattr(ingest.ingestor, "s3", Proxy(real, get_object=lambda **_: (_ for _ in ()).throw(
        _s3_error("ServiceUnavailable"))))
    event = upload(aws, people)
    assert not lambdas.invoke_async(FUNCTION, event)["ok"]
    sqs = boto3.client("sqs")
    queue = aws.physical("IngestFailedQueue")
    sqs.send_message(QueueUrl=queue, MessageBody="not a failure record")
    monkeypatch.setattr(ingest.ingestor, "s3", real)

    dry = replay(sqs, queue, lambda f, p: pytest.fail("a dry run invokes nothing"), dry_run=True)
    (listed,) = dry.replayed
    assert listed.objects == [f"s3://{aws.physical('UploadBucket')}/{mask_key(KEY)}"]  # a file name: masked
    shown = replay(sqs, queue, lambda f, p: pytest.fail("a dry run invokes nothing"), dry_run=True, show_keys=True)
    assert shown.replayed[0].objects == [f"s3://{aws.physical('UploadBucket')}/{KEY}"]  # asked for: in full
    assert listed.function.endswith(f"function:{aws.name}-{FUNCTION}:$LATEST") and listed.attempts == 3
    assert [s["why"] for s in dry.skipped] == ["not a Lambda failure record"]

    invoked: list[str] = []

    def invoke(function: str, payload: dict[str, Any]) -> None:  # what Lambda does with an Event invoke
        invoked.append(function)
        assert lambdas.invoke_async(FUNCTION, payload)["ok"]

    done = replay(sqs, queue, invoke)
    assert len(done.replayed) == 1 and invoked == [listed.function]
    assert_stored_once(aws, people)
    assert [s["why"] for s in done.skipped] == ["not a Lambda failure record"]
    assert waiting(sqs, queue) == 1  # the replayed record is gone; the junk stays for a person to look at


def test_replay_keeps_a_record_whose_invoke_was_refused(aws: Stack) -> None:
    from lindungi.ops.replay import replay

    sqs = boto3.client("sqs")
    queue = aws.physical("IngestFailedQueue")
    record = {"requestContext": {"functionArn": "arn:aws:lambda:x:1:function:f:$LATEST"},
              "requestPayload": s3_put_event("b", KEY, 1, "e", None)}
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(record))

    def refused(function: str, payload: dict[str, Any]) -> None:
        raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "rate"}}, "Invoke")

    result = replay(sqs, queue, refused)
    assert result.replayed == [] and result.skipped[0]["why"] == "invoke failed: ClientError"
    assert waiting(sqs, queue) == 1  # still in the queue for the next run
