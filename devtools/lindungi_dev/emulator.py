"""The AWS of template.yaml, emulated on this machine: moto plus a small Lambda dispatcher.

``provision`` reads ``template.yaml`` itself (through cfn-lint's decoder, so
``!Ref``/``!Sub``/``!GetAtt`` arrive as intrinsics) and creates every bucket,
table (keys, indexes, TTL), queue (with its redrive policy) and topic it
declares, in whatever AWS a boto3 session points at: moto's in-process mock
in tests, moto's server for the local pipeline. There is no second copy of the
resources anywhere.

moto cannot run Lambda functions, so ``Emulator`` plays Lambda's part, the way
AWS would: S3 notifications invoke the subscribed function asynchronously
(retried ``MaximumRetryAttempts`` times, then the failure record goes to the
``OnFailure`` destination), and SQS event source mappings deliver batches and
delete what the function did not report in ``batchItemFailures``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import quote_plus

import boto3

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ACCOUNT = "123456789012"
REGION = "ap-southeast-3"  # Jakarta
STACK = "lindungi-local"


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml as a plain dict, intrinsic functions in their long form ({"Ref": ...})."""
    from cfnlint.decode import decode_str

    template, matches = decode_str(path.read_text(encoding="utf-8"))
    if template is None:
        raise ValueError(f"{path}: {matches}")
    return json.loads(json.dumps(template))


@dataclass
class Stack:
    """The template's resources as created locally: logical id -> physical name, ARN and attributes."""

    template: dict[str, Any]
    name: str = STACK
    account: str = ACCOUNT
    region: str = REGION
    physical_ids: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    """Parameter values, as ``sam deploy --parameter-overrides`` gives them; the template's defaults otherwise."""

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.template["Resources"])

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == kind}

    def physical(self, logical_id: str) -> str:
        """Bucket or table name, queue URL, topic ARN: what ``!Ref`` gives for that resource."""
        return self.physical_ids[logical_id]

    def arn(self, logical_id: str) -> str:
        return self.arns[logical_id]

    def parameter(self, name: str) -> str:
        declared = self.template.get("Parameters", {})[name]  # KeyError: not a parameter of the template
        return self.overrides.get(name, str(declared.get("Default", "")))

    # -- intrinsic functions -------------------------------------------------------------------
    def _pseudo(self, name: str) -> str | None:
        return {
            "AWS::StackName": self.name, "AWS::AccountId": self.account, "AWS::Region": self.region,
            "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
        }.get(name)

    def _ref(self, name: str) -> str:
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        if name in self.physical_ids:
            return self.physical_ids[name]
        if self.resources.get(name, {}).get("Type") == "AWS::Logs::LogGroup":
            return str(self.resolve(self.resources[name]["Properties"]["LogGroupName"]))
        if name in self.resources:  # a function, layer or role: its local name
            return f"{self.name}-{name}"
        raise KeyError(f"!Ref {name}: not in template.yaml")

    def _get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            if logical_id in self.arns:
                return self.arns[logical_id]
            kind = self.resources[logical_id]["Type"]
            if kind == "AWS::Serverless::Function":
                return f"arn:aws:lambda:{self.region}:{self.account}:function:{self._ref(logical_id)}"
        if attribute == "QueueName":
            return self.physical_ids[logical_id].rsplit("/", 1)[-1]
        if attribute == "TopicName":
            return self.physical_ids[logical_id].rsplit(":", 1)[-1]
        raise KeyError(f"!GetAtt {logical_id}.{attribute}: not emulated")

    def condition(self, name: str) -> bool:
        """The template's condition ``name``, evaluated with the stack's parameters."""
        return self._holds(self.template.get("Conditions", {})[name])

    def _holds(self, expression: Any) -> bool:
        (key, arg), = expression.items()
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::Equals":
            return bool(str(self.resolve(arg[0])) == str(self.resolve(arg[1])))
        if key == "Fn::Not":
            return not self._holds(arg[0])
        if key in {"Fn::And", "Fn::Or"}:
            return (all if key == "Fn::And" else any)(self._holds(a) for a in arg)
        raise KeyError(f"condition {key}: not emulated")

    def resolve(self, value: Any) -> Any:
        """Evaluate the intrinsic functions in ``value`` against the local stack."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Fn::If":
                return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self._get_att(logical, attribute)
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return self._sub(text, {k: self.resolve(v) for k, v in variables.items()})
            if key == "Fn::Join":
                return str(arg[0]).join(str(self.resolve(v)) for v in arg[1])
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        out, rest = [], text
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, _, rest = after.partition("}")
            out.append(before)
            if name in variables:
                out.append(str(variables[name]))
            elif "." in name and not name.startswith("AWS::"):
                out.append(self._get_att(*name.split(".", 1)))
            else:
                out.append(self._ref(name))
        return "".join(out) + rest

    # -- functions -----------------------------------------------------------------------------
    def function_properties(self, logical_id: str) -> dict[str, Any]:
        globals_ = self.template.get("Globals", {}).get("Function", {})
        return {**globals_, **self.resources[logical_id]["Properties"]}

    def function_env(self, logical_id: str) -> dict[str, str]:
        """The Environment.Variables the template sets for a function, Globals merged, intrinsics resolved."""
        globals_ = self.template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        own = self.resources[logical_id]["Properties"].get("Environment", {}).get("Variables", {})
        return {k: str(self.resolve(v)) for k, v in {**globals_, **own}.items()}

    def functions(self) -> dict[str, dict[str, Any]]:
        return self.of_type("AWS::Serverless::Function")


def _create_queue(sqs: Any, stack: Stack, logical_id: str, props: dict[str, Any]) -> None:
    name = stack.resolve(props.get("QueueName")) or f"{stack.name}-{logical_id}"
    attributes: dict[str, str] = {}
    for key in ("MessageRetentionPeriod", "VisibilityTimeout", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
        if key in props:
            attributes[key] = str(stack.resolve(props[key]))
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(stack.resolve(props["RedrivePolicy"]))
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    stack.physical_ids[logical_id] = url
    stack.arns[logical_id] = f"arn:aws:sqs:{stack.region}:{stack.account}:{name}"


def _create_table(dynamodb: Any, stack: Stack, logical_id: str, props: dict[str, Any]) -> None:
    name = stack.resolve(props.get("TableName")) or f"{stack.name}-{logical_id}"
    args: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = [
            {k: v for k, v in index.items() if k in {"IndexName", "KeySchema", "Projection"}}
            for index in props["GlobalSecondaryIndexes"]
        ]
    dynamodb.create_table(**args)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
        )
    stack.physical_ids[logical_id] = name
    stack.arns[logical_id] = f"arn:aws:dynamodb:{stack.region}:{stack.account}:table/{name}"


def provision(session: boto3.Session, stack_name: str = STACK, parameters: dict[str, str] | None = None) -> Stack:
    """Create every bucket, table, queue and topic of template.yaml through ``session``."""
    stack = Stack(load_template(), name=stack_name, region=session.region_name or REGION,
                  overrides=dict(parameters or {}))
    for name in stack.overrides:
        stack.parameter(name)  # an override must name a declared parameter
    s3: Any = session.client("s3")
    dynamodb: Any = session.client("dynamodb")
    sqs: Any = session.client("sqs")
    sns: Any = session.client("sns")
    for logical_id, resource in stack.of_type("AWS::S3::Bucket").items():
        props = resource.get("Properties", {})
        name = stack.resolve(props.get("BucketName")) or f"{stack_name}-{logical_id.lower()}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": stack.region})
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        stack.physical_ids[logical_id] = name
        stack.arns[logical_id] = f"arn:aws:s3:::{name}"
    for logical_id, resource in stack.of_type("AWS::SNS::Topic").items():
        props = resource.get("Properties", {})
        name = stack.resolve(props.get("TopicName")) or f"{stack_name}-{logical_id}"
        arn = sns.create_topic(Name=name)["TopicArn"]
        stack.physical_ids[logical_id] = stack.arns[logical_id] = arn
    queues = stack.of_type("AWS::SQS::Queue")
    # Dead-letter queues first: a redrive policy names its DLQ's ARN.
    for logical_id in sorted(queues, key=lambda q: "RedrivePolicy" in queues[q].get("Properties", {})):
        _create_queue(sqs, stack, logical_id, queues[logical_id].get("Properties", {}))
    for logical_id, resource in stack.of_type("AWS::DynamoDB::Table").items():
        _create_table(dynamodb, stack, logical_id, resource["Properties"])
    return stack


# ---------------------------------------------------------------------------------------- Lambda


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
                 when: datetime | None = None) -> dict[str, Any]:
    """An ``ObjectCreated:Put`` notification exactly as S3 sends it to Lambda (key URL-encoded, + for space)."""
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
                "eventName": "ObjectCreated:Put",
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


_FEEDING: list[LambdaRunner] = []
"""The runner whose event source mappings run while functions send (``LambdaRunner.feeding``), if any."""


def _queue_url(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["lindungi_queue_url"] = params.get("QueueUrl")


def _sent(context: dict[str, Any], **_: Any) -> None:
    if _FEEDING and context.get("lindungi_queue_url"):
        _FEEDING[-1].fed(str(context["lindungi_queue_url"]))


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

    def __init__(self, stack: Stack, session: boto3.Session) -> None:
        self.stack = stack
        self.session = session
        self._modules: dict[str, ModuleType] = {}
        self._carrier: Any = None
        self._local = threading.local()

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
            self.session.client("sqs").send_message(QueueUrl=self.stack.physical(queue), MessageBody=json.dumps(record))
        return {"ok": False, "attempts": attempts, "error": f"{type(error).__name__}: {error}"}

    def deliver_receipts(self) -> dict[str, int]:
        """SNS's delivery-status records for each SMS published since the last call, delivered to the functions
        subscribed to their log groups as CloudWatch Logs does (see ``lindungi_dev.sms_receipts``)."""
        from . import sms_receipts

        if self._carrier is None:
            self._carrier = sms_receipts.Carrier()
        return sms_receipts.deliver(self, self._carrier)

    def s3_subscriber(self, bucket_logical_id: str) -> str:
        for function, resource in self.stack.functions().items():
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] == "S3" and event["Properties"]["Bucket"] == {"Ref": bucket_logical_id}:
                    return function
        raise KeyError(f"no function subscribed to {bucket_logical_id}")

    def notify_s3(self, bucket_logical_id: str, key: str, version_id: str | None = None) -> dict[str, Any]:
        """Deliver the ObjectCreated notification of an object already in the bucket, as S3 does."""
        bucket = self.stack.physical(bucket_logical_id)
        args = {"Bucket": bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
        s3: Any = self.session.client("s3")
        head = s3.head_object(**args)
        event = s3_put_event(bucket, key, head["ContentLength"], head["ETag"].strip('"'),
                             head.get("VersionId"), self.stack.region)
        return self.invoke_async(self.s3_subscriber(bucket_logical_id), event)

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

    @contextlib.contextmanager
    def feeding(self, *queues: str) -> Iterator[dict[str, int]]:
        """Within: each time a function sends to one of ``queues``, its event source mapping drains it at once.

        Lambda polls a queue while the sender to it is still running; ``drain_queue`` after the fact would let
        thousands of messages pile up, which moto's SQS (whose every receive walks the whole queue) handles in
        time growing with the square of the depth. Fed as they are sent, the queue never holds more than a
        batch. The counts of every drain are summed into the dict yielded."""
        self._feed = {url: m for url, m in self.mappings().items() if m[0] in queues}
        self._fed: dict[str, int] = {"batches": 0, "messages": 0, "failed": 0}
        self._draining = False
        _FEEDING.append(self)
        try:
            yield self._fed
        finally:
            _FEEDING.remove(self)

    def fed(self, url: str) -> None:
        if self._draining or url not in self._feed:
            return
        queue, function, batch = self._feed[url]
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

    def drain_queue(self, queue: str, function: str, batch_size: int = 10, max_rounds: int = 10_000) -> dict[str, int]:
        """Lambda's SQS event source mapping, until the queue is empty (with ReportBatchItemFailures)."""
        sqs = self.session.client("sqs")
        url, arn = self.stack.physical(queue), self.stack.arn(queue)
        stats = {"batches": 0, "messages": 0, "failed": 0}
        for _ in range(max_rounds):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(batch_size, 10),
                                           AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
            if not messages:
                break
            event = {"Records": [{
                "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": arn,
                "awsRegion": self.stack.region,
            } for m in messages]}
            stats["batches"] += 1
            stats["messages"] += len(messages)
            try:
                response = self.invoke(function, event) or {}
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            except Exception:  # noqa: BLE001 - a crashed batch: every message comes back
                failed = {m["MessageId"] for m in messages}
            stats["failed"] += len(failed)
            for m in messages:
                if m["MessageId"] in failed:
                    # Visibility timeout "passes" at once locally, so retries do not wait.
                    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
                else:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return stats


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Emulator(LambdaRunner):
    """moto's server on 127.0.0.1, provisioned from template.yaml, with the Lambda dispatcher on top.

    While it runs, anyone can look inside with the AWS CLI or boto3:
    ``aws --endpoint-url http://127.0.0.1:PORT s3 ls``.
    """

    def __init__(self, port: int | None = None, stack_name: str = STACK,
                 parameters: dict[str, str] | None = None) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        from werkzeug.serving import WSGIRequestHandler

        # Keep-alive: botocore reuses connections, werkzeug's HTTP/1.0 default closes each one.
        WSGIRequestHandler.protocol_version = "HTTP/1.1"

        self.port = port or _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        os.environ.update({
            "AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
        })
        session = boto3.Session(region_name=REGION)
        super().__init__(provision(session, stack_name, parameters), session)

    def client(self, service: str) -> Any:
        return self.session.client(service)  # type: ignore[call-overload]

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
