"""Lambda, played in this process: the template's functions invoked with their environment and context.

S3 notifications invoke the subscribed function asynchronously (retried ``MaximumRetryAttempts`` times, then
the failure record goes to the ``OnFailure`` destination); SQS event source mappings deliver batches and
delete what the function did not report in ``batchItemFailures``, while the mapping is enabled; a schedule fires
only while it is enabled (``on_schedule``). Both switches are moto's (``switches``), so turning one off
(``python -m lindungi sms pause``) stops it here as it would in AWS.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import quote_plus, unquote_plus

import boto3

from . import carrier, switches, urls
from .template import REGION, ROOT, Stack


@dataclass
class Context:
    """What Lambda passes as ``context``: enough for Powertools and for the remaining-time checks."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    invoked_function_arn: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


def s3_put_event(bucket: str, key: str, size: int, etag: str, version_id: str | None, region: str = REGION,
                 when: datetime | None = None, event_name: str = "ObjectCreated:Put") -> dict[str, Any]:
    """An ``ObjectCreated:Put`` (or ``event_name``: a browser's POST) notification exactly as S3 sends it to
    Lambda (key URL-encoded, + for space)."""
    when = when or datetime.now(UTC)
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag,
                           "sequencer": f"{int(when.timestamp() * 1e6):016X}"}
    if version_id:
        obj["versionId"] = version_id
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
                "eventName": event_name,
                "userIdentity": {"principalId": "AWS:AIDAEXAMPLESTAFF"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(),
                                     "x-amz-id-2": hashlib.sha256(key.encode()).hexdigest()},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "ListUploaded",
                    "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3EXAMPLEOWNER"},
                               "arn": f"arn:aws:s3:::{bucket}"},
                    "object": obj,
                },
            }
        ]
    }


_env_lock = threading.Lock()
_env_users: dict[str, list[Any]] = {}
"""Variable -> [its value before the first user, users still inside]: concurrent invocations share it."""


@contextlib.contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, unset) environment variables for the block; restore them after the last user.

    Concurrent invocations (threads) each enter this; the value from before the first one comes back
    when the last one leaves, never a value another invocation set in between.
    """
    with _env_lock:
        for k, v in values.items():
            _env_users.setdefault(k, [os.environ.get(k), 0])[1] += 1
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        yield
    finally:
        with _env_lock:
            for k in values:
                entry = _env_users[k]
                entry[1] -= 1
                if entry[1] == 0:
                    del _env_users[k]
                    if entry[0] is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = entry[0]


def _logs_to_current_stdout(service: str | None) -> None:
    """Point the function's log handlers at this moment's stdout, as Lambda's are at the process's.

    Powertools binds a service's handler to ``sys.stdout`` once, when the first Logger of that service is made
    (a later Logger of the same service reuses it); made under a redirect that has since closed (a test's
    capsys, the demo's log file of an earlier step), it would write to a closed stream.
    """
    import logging

    for handler in logging.getLogger(service).handlers if service else []:
        if type(handler) is logging.StreamHandler:
            with handler.lock or contextlib.nullcontext():
                handler.stream = sys.stdout


@contextlib.contextmanager
def _environ_restored() -> Iterator[None]:
    """The whole environment as it was, back after the block (for nesting on one thread, unlike ``environment``)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


_S3_SUBSCRIBERS: dict[str, tuple[LambdaRunner, str]] = {}
"""Function ARN -> (the runner that plays it, the bucket it is notified of), for ``LambdaRunner.s3_notifications``."""


def _route_s3_notifications() -> None:
    """moto invokes a bucket's notified function itself (in Docker); here the runner that plays it does, on a
    thread (S3 does not wait for the function). moto runs in this process, so its notifier can be told directly."""
    from moto.s3 import notifications

    if getattr(notifications._invoke_awslambda, "lindungi", False):
        return
    moto_invoke = notifications._invoke_awslambda

    def invoke(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        if fn_arn not in _S3_SUBSCRIBERS:
            return moto_invoke(account_id, event_body, fn_arn, region_name)
        runner, bucket = _S3_SUBSCRIBERS[fn_arn]
        record = event_body["Records"][0]
        key = unquote_plus(record["s3"]["object"]["key"])
        thread = threading.Thread(target=runner.notify_s3, args=(bucket, key, record["s3"]["object"].get("versionId")),
                                  kwargs={"event_name": record["eventName"]}, name="s3-notification", daemon=True)
        runner.notifying.append(thread)
        thread.start()
        return None

    invoke.lindungi = True  # type: ignore[attr-defined]
    notifications._invoke_awslambda = invoke


_FEEDING: list[LambdaRunner] = []
"""The runner whose event source mappings run while functions send (``LambdaRunner.feeding``), if any."""


def _queue_url(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["lindungi_queue_url"] = params.get("QueueUrl")
    context["lindungi_messages"] = len(params.get("Entries") or [None])


def _sent(context: dict[str, Any], **_: Any) -> None:
    if _FEEDING and context.get("lindungi_queue_url"):
        _FEEDING[-1].fed(str(context["lindungi_queue_url"]), int(context.get("lindungi_messages", 1)))


def _watch_sends() -> None:
    """Every client the functions create (``boto3.client`` at import) tells the runner when it has sent to SQS."""
    events = boto3._get_default_session().events
    for operation in ("SendMessage", "SendMessageBatch"):
        events.register(f"before-parameter-build.sqs.{operation}", _queue_url, unique_id=f"lindungi-url-{operation}")
        events.register(f"after-call.sqs.{operation}", _sent, unique_id=f"lindungi-fed-{operation}")


class LambdaRunner:
    """Runs the template's functions in this process, each with its own environment, as Lambda would."""

    LOCAL_ENV: ClassVar[dict[str, str]] = {
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
        "AWS_LAMBDA_FUNCTION_NAME": "",
    }

    def __init__(self, stack: Stack, session: boto3.Session, concurrent_batches: bool = False) -> None:
        """``concurrent_batches``: an SQS event source mapping hands the function as many batches at once as its
        ``ScalingConfig.MaximumConcurrency`` allows (Lambda's default of 5 pollers without one), each on a thread
        of its own, as Lambda runs concurrent invocations; off, one batch at a time, in the queue's order."""
        self.stack = stack
        self.session = session
        self.concurrent_batches = concurrent_batches
        self._modules: dict[str, ModuleType] = {}
        self._carrier = carrier.Carrier()
        self._local = threading.local()
        self._clients: dict[str, Any] = {}
        self.notifying: list[threading.Thread] = []
        """The invocations S3's own notifications started (``s3_notifications``), each on a thread: ``settle``
        waits for them, so none outlives the resources it calls."""

    def client(self, service: str) -> Any:
        """The emulator's own client for ``service``, made once: a client a call would cost a new connection."""
        if service not in self._clients:
            self._clients[service] = self.session.client(service)  # type: ignore[call-overload]
        return self._clients[service]

    def env(self, function: str) -> dict[str, str]:
        return {**self.LOCAL_ENV, "AWS_LAMBDA_FUNCTION_NAME": f"{self.stack.name}-{function}",
                **self.stack.function_env(function)}

    def module(self, function: str) -> ModuleType:
        if function not in self._modules:
            props = self.stack.function_properties(function)
            code = ROOT / props["CodeUri"]
            module_name, _ = props["Handler"].rsplit(".", 1)
            spec = importlib.util.spec_from_file_location(f"lindungi_fn_{function}", code / f"{module_name}.py")
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            with environment(self.env(function)):
                _watch_sends()
                sys.modules[spec.name] = module
                spec.loader.exec_module(module)
            self._modules[function] = module
        return self._modules[function]

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Synchronous invoke: the handler's return value, or its exception raised here."""
        # An invoke nested in another on this thread (an event source mapping run while the function sending to
        # its queue runs, ``feeding``) gives the outer one its environment back whole, its first import
        # included; ``environment`` alone restores at its last user, which is what concurrent invocations on
        # threads need.
        depth = getattr(self._local, "depth", 0)
        with _environ_restored() if depth else contextlib.nullcontext():
            return self._invoke(function, event, depth)

    def _invoke(self, function: str, event: dict[str, Any], depth: int) -> Any:
        props = self.stack.function_properties(function)
        handler_name = props["Handler"].rsplit(".", 1)[1]
        module = self.module(function)
        context = Context(
            function_name=f"{self.stack.name}-{function}",
            memory_limit_in_mb=int(self.stack.resolve(props.get("MemorySize", 128))),
            timeout_s=int(self.stack.resolve(props.get("Timeout", 3))),
            invoked_function_arn=self.stack._get_att(function, "Arn"),
        )
        self._local.depth = depth + 1
        try:
            with environment(self.env(function)):
                _logs_to_current_stdout(self.env(function).get("POWERTOOLS_SERVICE_NAME"))
                return getattr(module, handler_name)(json.loads(json.dumps(event)), context)
        finally:
            self._local.depth = depth

    def invoke_async(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        """Lambda's asynchronous invoke: retries, then the failure record to the OnFailure destination."""
        config = self.stack.function_properties(function).get("EventInvokeConfig", {})
        attempts = 1 + int(config.get("MaximumRetryAttempts", 2))
        error: BaseException | None = None
        for attempt in range(1, attempts + 1):
            try:
                return {"ok": True, "attempts": attempt, "result": self.invoke(function, event)}
            except Exception as exc:  # noqa: BLE001 - Lambda records any error the same way
                error = exc
        assert error is not None
        destination = config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "requestContext": {"requestId": str(uuid.uuid4()), "condition": "RetriesExhausted",
                               "functionArn": self.stack._get_att(function, "Arn") + ":$LATEST",
                               "approximateInvokeCount": attempts},
            "requestPayload": event,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "responsePayload": {"errorMessage": str(error), "errorType": type(error).__name__,
                                "stackTrace": traceback.format_exception(error)[-3:]},
        }
        if destination:
            arn = self.stack.resolve(destination)
            queue = next(q for q, a in self.stack.arns.items() if a == arn)
            self.client("sqs").send_message(QueueUrl=self.stack.physical(queue), MessageBody=json.dumps(record))
        return {"ok": False, "attempts": attempts, "error": f"{type(error).__name__}: {error}"}

    def deliver_receipts(self) -> dict[str, int]:
        """SNS's delivery-status records for each SMS published since the last call, delivered to the functions
        subscribed to their log groups as CloudWatch Logs does (see ``lindungi_dev.emulator.carrier``); with
        ``concurrent_batches``, as many invocations at once as there are cores."""
        at_once = (os.cpu_count() or 1) if self.concurrent_batches else 1
        with _environ_restored() if at_once > 1 else contextlib.nullcontext():
            return carrier.deliver(self, self._carrier, at_once)

    def s3_subscriber(self, bucket_logical_id: str) -> str:
        for function, resource in self.stack.functions().items():
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] == "S3" and event["Properties"]["Bucket"] == {"Ref": bucket_logical_id}:
                    return function
        raise KeyError(f"no function subscribed to {bucket_logical_id}")

    def notify_s3(self, bucket_logical_id: str, key: str, version_id: str | None = None,
                  event_name: str = "ObjectCreated:Put") -> dict[str, Any]:
        """Deliver the ObjectCreated notification of an object already in the bucket, as S3 does."""
        bucket = self.stack.physical(bucket_logical_id)
        args = {"Bucket": bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
        head = self.client("s3").head_object(**args)
        event = s3_put_event(bucket, key, head["ContentLength"], head["ETag"].strip('"'),
                             head.get("VersionId"), self.stack.region, event_name=event_name)
        return self.invoke_async(self.s3_subscriber(bucket_logical_id), event)

    def s3_notifications(self, bucket_logical_id: str) -> None:
        """From now on, S3 itself notifies: every object created in the bucket (a browser's presigned POST too)
        reaches the subscribed function without a ``notify_s3`` call.

        The bucket gets the notification configuration the template's S3 event declares (its events and key
        filter), moto matches each new object against it, and each match is invoked asynchronously on a thread
        of its own, as S3 invokes Lambda (``invoke_async``: retries, then the OnFailure destination). The
        demo's and the tests' batch uploads call ``notify_s3`` instead, to wait for each result."""
        function = self.s3_subscriber(bucket_logical_id)
        arn = self.stack._get_att(function, "Arn")
        configurations = []
        for name, event in self.stack.resources[function]["Properties"]["Events"].items():
            props = event["Properties"]
            if event["Type"] != "S3" or props["Bucket"] != {"Ref": bucket_logical_id}:
                continue
            events = props["Events"] if isinstance(props["Events"], list) else [props["Events"]]
            rules = props.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            configurations.append({"Id": name, "LambdaFunctionArn": arn, "Events": events,
                                   **({"Filter": {"Key": {"FilterRules": rules}}} if rules else {})})
        _S3_SUBSCRIBERS[arn] = (self, bucket_logical_id)
        _route_s3_notifications()
        self.client("s3").put_bucket_notification_configuration(
            Bucket=self.stack.physical(bucket_logical_id),
            NotificationConfiguration={"LambdaFunctionConfigurations": configurations})

    def settle(self, timeout: float = 120.0) -> None:
        """Wait for the invocations S3's notifications started (a function still ingesting when a test or the
        demo ends would otherwise call a queue or table already gone)."""
        deadline = time.monotonic() + timeout
        while self.notifying:
            self.notifying.pop().join(max(0.0, deadline - time.monotonic()))

    def serve_urls(self) -> dict[str, urls.FunctionUrl]:
        """Every function with a ``FunctionUrlConfig``, served at its own address on 127.0.0.1 (``urls``)."""
        served = getattr(self, "_urls", {})
        for function in self.stack.url_functions():
            if function not in served:
                served[function] = urls.FunctionUrl(functools.partial(self.invoke, function))
                self.stack.attributes.setdefault(f"{function}Url", {})["FunctionUrl"] = served[function].url
        self._urls: dict[str, urls.FunctionUrl] = served
        return served

    def stop_urls(self) -> None:
        for served in getattr(self, "_urls", {}).values():
            served.stop()
        self._urls = {}

    def mappings(self) -> dict[str, tuple[str, str, int]]:
        """Queue URL -> (queue, function, batch size) of the template's SQS event source mappings."""
        out = {}
        for function, resource in self.stack.functions().items():
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] == "SQS":
                    arn = self.stack.resolve(event["Properties"]["Queue"])
                    queue = next(q for q, a in self.stack.arns.items() if a == arn)
                    out[self.stack.physical(queue)] = (queue, function, int(event["Properties"].get("BatchSize", 10)))
        return out

    def batches_at_once(self, queue: str, function: str) -> int:
        """How many batches the mapping of ``queue`` to ``function`` hands over at once: 1 unless
        ``concurrent_batches``; then its ``ScalingConfig.MaximumConcurrency`` (Lambda starts 5 pollers without one),
        but no more than this machine's cores: more would not run sooner, only deepen the queue, which every
        moto SQS receive walks (and reads the clock for each message, a time-machine call while days travel)."""
        if not self.concurrent_batches:
            return 1
        arn = self.stack.arn(queue)
        for event in self.stack.functions()[function]["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS" and self.stack.resolve(event["Properties"]["Queue"]) == arn:
                allowed = int(self.stack.resolve(event["Properties"].get("ScalingConfig", {})
                                                 .get("MaximumConcurrency", 5)))
                return max(1, min(allowed, os.cpu_count() or 1))
        return 1

    @contextlib.contextmanager
    def feeding(self, *queues: str) -> Iterator[dict[str, int]]:
        """Within: each time a function sends to one of ``queues``, its event source mapping drains it at once.

        Lambda polls a queue while the sender to it is still running; ``drain_queue`` after the fact would let
        thousands of messages pile up, which moto's SQS (whose every receive walks the whole queue) handles in
        time growing with the square of the depth. Fed as they are sent, the queue never holds more than a
        batch. With ``concurrent_batches`` the mapping waits until it can hand over as many full batches as it
        runs at once (Lambda's batching window, ``MaximumBatchingWindowInSeconds``, waits for a full batch too):
        the queue then holds at most that many batches. The counts of every drain are summed into the dict
        yielded; what is left under that depth when the block ends is ``drain_queue``'s."""
        self._feed = {url: m for url, m in self.mappings().items() if m[0] in queues}
        self._fed: dict[str, int] = {"batches": 0, "messages": 0, "failed": 0}
        self._waiting: dict[str, int] = dict.fromkeys(self._feed, 0)
        self._draining = False
        _FEEDING.append(self)
        try:
            yield self._fed
        finally:
            _FEEDING.remove(self)

    def fed(self, url: str, messages: int = 1) -> None:
        if self._draining or url not in self._feed:
            return
        queue, function, batch = self._feed[url]
        self._waiting[url] += messages
        at_once = self.batches_at_once(queue, function)
        if at_once > 1 and self._waiting[url] < at_once * batch:
            return
        self._waiting[url] = 0
        self._draining = True
        try:
            # The mapping is Lambda's, not the sending function's: its receives and deletes run outside that
            # function's environment (the grants check attributes calls by the running function), which comes
            # back whole afterwards. Not for use with invocations on other threads.
            with _environ_restored():
                os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)
                drained = self.drain_queue(queue, function, batch)
            for key, value in drained.items():
                self._fed[key] += value
        finally:
            self._draining = False

    def on_schedule(self, function: str, event_name: str, event: dict[str, Any]) -> Any | None:
        """What EventBridge Scheduler does at the schedule's time: invoke ``function`` with ``event`` if the schedule
        of its ``event_name`` event is enabled (the handler's return value), nothing if it is disabled (None)."""
        if not switches.schedule_enabled(self.client("scheduler"), self.stack, function, event_name):
            return None
        return self.invoke(function, event)

    def drain_queue(self, queue: str, function: str, batch_size: int = 10, max_rounds: int = 10_000) -> dict[str, int]:
        """Lambda's SQS event source mapping, until the queue is empty (with ReportBatchItemFailures); nothing while
        the mapping is disabled, as Lambda stops polling then. What the function did not report failed is deleted
        in one ``DeleteMessageBatch``, as the mapping does.

        Each round receives up to ``batches_at_once`` batches, invokes the function with each (on threads when
        more than one, as concurrent invocations), then deletes or returns what they report: the mapping's own
        calls are made while no invocation runs, so none is taken for the function's."""
        sqs = self.client("sqs")
        url, arn = self.stack.physical(queue), self.stack.arn(queue)
        stats = {"batches": 0, "messages": 0, "failed": 0}
        if not switches.mapping_enabled(self.client("lambda"), self.stack, function, arn):
            return stats
        at_once = self.batches_at_once(queue, function)
        with ThreadPoolExecutor(at_once, thread_name_prefix=f"{function}-poller") if at_once > 1 \
                else contextlib.nullcontext() as pool:
            for _ in range(max_rounds):
                batches: list[list[dict[str, Any]]] = []
                while len(batches) < at_once:
                    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(batch_size, 10),
                                                   AttributeNames=["All"],
                                                   MessageAttributeNames=["All"]).get("Messages", [])
                    if not messages:
                        break
                    batches.append(messages)
                if not batches:
                    break
                deliver = functools.partial(self._deliver_batch, function, arn)
                if pool:
                    # Invocations on other threads restore a variable only when its last user leaves; one the
                    # invoking function (feeding) also set has a user left: the whole environment comes back.
                    with _environ_restored():
                        results = list(pool.map(deliver, batches))
                else:
                    results = [deliver(batches[0])]
                for messages, failed in zip(batches, results, strict=True):
                    stats["batches"] += 1
                    stats["messages"] += len(messages)
                    stats["failed"] += len(failed)
                    done = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                            for i, m in enumerate(messages) if m["MessageId"] not in failed]
                    back = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                            for i, m in enumerate(messages) if m["MessageId"] in failed]
                    if done:
                        sqs.delete_message_batch(QueueUrl=url, Entries=done)
                    if back:  # visibility timeout "passes" at once locally, so retries do not wait
                        sqs.change_message_visibility_batch(QueueUrl=url, Entries=back)
        return stats

    def _deliver_batch(self, function: str, arn: str, messages: list[dict[str, Any]]) -> set[str]:
        """One invocation with a batch, as the mapping makes it: the ids of the messages that failed."""
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": arn,
            "awsRegion": self.stack.region,
        } for m in messages]}
        try:
            response = self.invoke(function, event) or {}
            return {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - a crashed batch: every message comes back
            return {m["MessageId"] for m in messages}
