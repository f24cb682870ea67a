"""Replaying failed ingestions: the records Lambda left in ``IngestFailedQueue``, invoked again.

When an asynchronous invocation of the ingest function fails every retry, Lambda sends a record
to the ``OnFailure`` destination holding the original S3 event (``requestPayload``), the function
(``requestContext.functionArn``) and the error. ``replay`` invokes that function again,
asynchronously, with the same event, and deletes each message only once Lambda has accepted the
invoke: a message whose invoke fails stays in the queue for the next try. Replaying is safe by
design: ingestion is idempotent on the list's content, so a list that in the meantime got through
stores nothing twice.

    python -m lindungi replay [--queue-url URL] [--function NAME] [--dry-run] [--max N]

Locally, on the emulator, ``AWS_ENDPOINT_URL`` points boto3 at moto, whose Lambda cannot run
code; replay a record there with ``LambdaRunner.invoke_async("IngestFunction", record["requestPayload"])``.

What is printed names the message, the function, the bucket and object key, the error type and the
number of tries: no rows, no NIK, no phone number. A key is a file name staff chose, so it is printed
masked as the logs mask it (``incoming/<program>/#3f2a9c.xlsx``, ``lindungi.logs.mask_key``; ``python -m
lindungi mask-key`` finds it in a bucket listing) unless ``--show-keys``. The queue itself holds Lambda's
failure record, key in clear: docs/decisions.md, "The ingest failure queue keeps its keys".

``replay-receipts`` does the same for ``ReceiptsFailedQueue``: each message is a batch of delivery-status
records the receipts function could not record, kept by the function itself with the numbers masked
(``lindungi.reminders.failed_receipts``); it is turned back into the CloudWatch Logs event the function
takes and invoked asynchronously, then deleted. Recording is idempotent (each notice is updated only while
it is still ``sent`` with that message id), so a receipt recorded in the meantime changes nothing.

    python -m lindungi replay-receipts [--queue-url URL] [--function NAME] [--dry-run] [--max N]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

Invoke = Callable[[str, dict[str, Any]], None]
"""Invoke a function asynchronously with a payload; raise if Lambda does not accept it."""


@dataclass(frozen=True)
class Failed:
    """One failure record, as much of it as is safe to print."""

    message_id: str
    function: str
    objects: list[str]
    error_type: str
    attempts: int
    condition: str

    @classmethod
    def of(cls, message_id: str, record: dict[str, Any], function: str | None, show_keys: bool = False) -> Failed:
        from urllib.parse import unquote_plus

        from lindungi.logs import mask_key

        context = record.get("requestContext", {})
        payload = record.get("requestPayload") or {}
        keys = [(r["s3"]["bucket"]["name"], str(r["s3"]["object"]["key"])) for r in payload.get("Records", [])
                if "s3" in r]
        objects = [f"s3://{bucket}/{key if show_keys else mask_key(unquote_plus(key))}" for bucket, key in keys]
        return cls(
            message_id=message_id,
            function=function or context.get("functionArn", ""),
            objects=objects,
            error_type=str((record.get("responsePayload") or {}).get("errorType", "")),
            attempts=int(context.get("approximateInvokeCount", 0)),
            condition=str(context.get("condition", "")),
        )


@dataclass
class Replayed:
    replayed: list[Failed] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    """Messages left in the queue, with why (not a failure record, invoke refused)."""
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "replayed": [asdict(f) for f in self.replayed], "skipped": self.skipped}


def _release(sqs: Any, queue_url: str, message: dict[str, Any]) -> None:
    """Back in view at once (a dry run leaves the queue as it found it)."""
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)


def _messages(sqs: Any, queue_url: str, limit: int | None, release: bool) -> Iterator[dict[str, Any]]:
    """Each message once, however often the queue hands it back during this run."""
    seen: set[str] = set()
    while limit is None or len(seen) < limit:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    VisibilityTimeout=60).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in seen]
        if release:
            for message in batch:
                if message["MessageId"] in seen:
                    _release(sqs, queue_url, message)
        if not fresh:
            return
        for message in fresh:
            if limit is not None and len(seen) >= limit:
                return
            seen.add(message["MessageId"])
            yield message


def replay(
    sqs: Any, queue_url: str, invoke: Invoke, *, function: str | None = None, dry_run: bool = False,
    limit: int | None = None, show_keys: bool = False,
) -> Replayed:
    """Re-invoke every failed ingestion in the queue with its original event; delete what Lambda accepted.
    What it answers names each object with its key masked, unless ``show_keys``."""
    result = Replayed(dry_run=dry_run)
    for message in _messages(sqs, queue_url, limit, release=dry_run):
        message_id = message["MessageId"]
        failed: Failed | None
        try:
            record = json.loads(message["Body"])
            payload = record["requestPayload"]
            failed = Failed.of(message_id, record, function, show_keys)
        except (ValueError, KeyError, TypeError):
            failed = None
        if dry_run:
            _release(sqs, queue_url, message)
        if failed is None or not failed.function:
            why = "not a Lambda failure record" if failed is None else "no function named; use --function"
            result.skipped.append({"message_id": message_id, "why": why})
            continue
        if dry_run:
            result.replayed.append(failed)
            continue
        try:
            invoke(failed.function, payload)
        except Exception as error:  # noqa: BLE001 - any refusal leaves the message for the next try
            result.skipped.append({"message_id": message_id, "why": f"invoke failed: {type(error).__name__}"})
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        result.replayed.append(failed)
    return result


@dataclass(frozen=True)
class KeptReceipts:
    """One kept batch of receipts, as much as is printed: no number, no notice."""

    message_id: str
    function: str
    log_group: str
    receipts: int
    error_type: str


def replay_receipts(
    sqs: Any, queue_url: str, invoke: Invoke, *, function: str | None = None, dry_run: bool = False,
    limit: int | None = None,
) -> dict[str, Any]:
    """Invoke the receipts function again with every kept batch; delete what Lambda accepted."""
    from lindungi.reminders.failed_receipts import awslogs_event, is_failure_message

    replayed: list[KeptReceipts] = []
    skipped: list[dict[str, str]] = []
    for message in _messages(sqs, queue_url, limit, release=dry_run):
        message_id = message["MessageId"]
        try:
            body = json.loads(message["Body"])
            kept = is_failure_message(body)
        except (ValueError, TypeError):
            kept = False
        if dry_run or not kept:
            _release(sqs, queue_url, message)
        if not kept:
            why = "not a kept batch of receipts (an old OnFailure record? it holds full numbers: delete it by hand)"
            skipped.append({"message_id": message_id, "why": why})
            continue
        target = function or str(body.get("function") or "")
        if not target:
            skipped.append({"message_id": message_id, "why": "no function named; use --function"})
            continue
        batch = KeptReceipts(message_id, target, str(body["log_group"]), len(body["events"]),
                             str(body.get("error_type", "")))
        if dry_run:
            replayed.append(batch)
            continue
        try:
            invoke(target, awslogs_event(body))
        except Exception as error:  # noqa: BLE001 - any refusal leaves the message for the next try
            skipped.append({"message_id": message_id, "why": f"invoke failed: {type(error).__name__}"})
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        replayed.append(batch)
    return {"dry_run": dry_run, "replayed": [asdict(b) for b in replayed],
            "receipts": sum(b.receipts for b in replayed), "skipped": skipped}


def lambda_invoker(client: Any) -> Invoke:
    """Lambda's asynchronous invoke (``InvocationType=Event``): accepted means HTTP 202."""

    def invoke(function: str, payload: dict[str, Any]) -> None:
        response = client.invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps(payload).encode())
        if response.get("StatusCode") != 202:
            raise RuntimeError(f"Lambda answered {response.get('StatusCode')}")

    return invoke


def _run(args: argparse.Namespace) -> int:
    import boto3

    from lindungi.settings import ReplaySettings

    queue_url = args.queue_url or ReplaySettings.from_env().queue_url
    if not queue_url:
        print("replay: give --queue-url or set INGEST_FAILED_QUEUE_URL (the stack output IngestFailedQueueUrl)")
        return 2
    result = replay(boto3.client("sqs"), queue_url, lambda_invoker(boto3.client("lambda")),
                    function=args.function, dry_run=args.dry_run, limit=args.max, show_keys=args.show_keys)
    print(json.dumps(result.to_dict(), indent=1))
    return 1 if result.skipped else 0


def _run_receipts(args: argparse.Namespace) -> int:
    import boto3

    from lindungi.settings import ReplayReceiptsSettings

    settings = ReplayReceiptsSettings.from_env()
    queue_url = args.queue_url or settings.queue_url
    if not queue_url:
        print("replay-receipts: give --queue-url or set RECEIPTS_FAILED_QUEUE_URL (the stack output "
              "ReceiptsFailedQueueUrl)")
        return 2
    result = replay_receipts(boto3.client("sqs"), queue_url, lambda_invoker(boto3.client("lambda")),
                             function=args.function or settings.function, dry_run=args.dry_run, limit=args.max)
    if not args.dry_run:
        from lindungi.ops.audit import audit, caller

        audit("replay-receipts", caller(boto3.client("sts")), batches=len(result["replayed"]),
              receipts=result["receipts"], skipped=len(result["skipped"]))
    print(json.dumps(result, indent=1))
    return 1 if result["skipped"] else 0


def add_parser(commands: Any) -> None:
    """``python -m lindungi replay`` and ``replay-receipts``."""
    receipts = commands.add_parser("replay-receipts", help="record again the delivery receipts waiting in "
                                                           "ReceiptsFailedQueue (numbers masked)")
    receipts.add_argument("--queue-url", help="the failure queue (default: RECEIPTS_FAILED_QUEUE_URL)")
    receipts.add_argument("--function", help="function to invoke (default: RECEIPTS_FUNCTION, else the one named in "
                                             "each batch)")
    receipts.add_argument("--dry-run", action="store_true", help="list what would be replayed; invoke and delete "
                                                                 "nothing")
    receipts.add_argument("--max", type=int, help="replay at most this many batches")
    receipts.set_defaults(run=_run_receipts)
    parser = commands.add_parser("replay", help="re-invoke the failed ingestions waiting in IngestFailedQueue")
    parser.add_argument("--queue-url", help="the failure queue (default: INGEST_FAILED_QUEUE_URL)")
    parser.add_argument("--function", help="function to invoke (default: the one named in each record)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be replayed; invoke and delete nothing")
    parser.add_argument("--max", type=int, help="replay at most this many records")
    parser.add_argument("--show-keys", action="store_true", help="the object keys (file names) in full; masked "
                                                                 "otherwise, as the logs show them")
    parser.set_defaults(run=_run)
