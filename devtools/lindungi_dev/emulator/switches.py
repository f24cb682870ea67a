"""AWS's own on/off switches of the template's triggers, in moto: SQS event source mappings and Scheduler schedules.

``python -m lindungi sms pause`` turns the sender's event source mapping off (``UpdateEventSourceMapping
Enabled=false``) and the planner's schedule off (``UpdateSchedule State=DISABLED``); the emulator has to have
those to turn, and to honour them as AWS does. ``provision`` creates, in moto:

- each function an SQS event feeds (an empty package: moto never runs it, ``LambdaRunner`` does), under the
  name the emulator gives it, with a role that exists;
- each ``SQS`` event's mapping, named as SAM names it (``<Function><Event>``, its UUID what ``!Ref`` gives).
  moto, which would poll the queue itself and run the function in Docker, is told nothing of it: the
  emulator is the poller (``LambdaRunner.drain_queue``), and polls only while the mapping is enabled;
- each ``ScheduleV2`` event's schedule (its ``Name``, else SAM's ``<Function><Event>``), which
  ``LambdaRunner.on_schedule`` consults before invoking, as Scheduler fires only an enabled schedule.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

    from .template import Stack


def _client(session: boto3.Session, service: str) -> Any:
    """A client of boto3's default session, whose loaded service models are kept between calls: a fresh session
    per stack (as the tests make) would load them again each time, a tenth of a second a client."""
    import boto3

    return boto3.client(service, region_name=session.region_name)  # type: ignore[call-overload]


def _events(stack: Stack, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(function, event name, event properties) of every event of this type in the template."""
    return [(function, name, event.get("Properties", {}))
            for function, resource in stack.functions().items()
            for name, event in resource["Properties"].get("Events", {}).items() if event["Type"] == kind]


def schedule_name(stack: Stack, function: str, event: str) -> str:
    props = stack.resources[function]["Properties"]["Events"][event]["Properties"]
    return str(stack.resolve(props["Name"])) if "Name" in props else f"{function}{event}"


def provision(session: boto3.Session, stack: Stack) -> None:
    """The functions, their SQS event source mappings and their schedules, in the AWS ``session`` points at."""
    iam: Any = _client(session, "iam")
    lambda_: Any = _client(session, "lambda")
    scheduler: Any = _client(session, "scheduler")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": ["lambda.amazonaws.com",
                                                                              "scheduler.amazonaws.com"]}}]}
    role = iam.create_role(RoleName=f"{stack.name}-functions", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "")  # never run: the emulator runs the real handler in-process
    for function in sorted({f for f, _, _ in _events(stack, "SQS")}):  # what a mapping needs; schedules need none
        props = stack.function_properties(function)
        lambda_.create_function(FunctionName=stack._ref(function), Runtime=str(props.get("Runtime", "python3.12")),
                                Role=role["Arn"], Handler=str(props["Handler"]),
                                Code={"ZipFile": package.getvalue()})
    for function, event, props in _events(stack, "SQS"):
        mapping = lambda_.create_event_source_mapping(
            EventSourceArn=stack.resolve(props["Queue"]), FunctionName=stack._ref(function),
            BatchSize=int(props.get("BatchSize", 10)), Enabled=bool(props.get("Enabled", True)))
        stack.physical_ids[f"{function}{event}"] = mapping["UUID"]
    _detach_from_moto_polling(stack)
    for function, event, props in _events(stack, "ScheduleV2"):
        name = schedule_name(stack, function, event)
        target: dict[str, Any] = {"Arn": stack._get_att(function, "Arn"), "RoleArn": role["Arn"]}
        if "Input" in props:
            target["Input"] = props["Input"]
        extra = {"ScheduleExpressionTimezone": props["ScheduleExpressionTimezone"]} \
            if "ScheduleExpressionTimezone" in props else {}
        scheduler.create_schedule(Name=name, ScheduleExpression=props["ScheduleExpression"], Target=target,
                                  FlexibleTimeWindow={"Mode": "OFF"}, State=props.get("State", "ENABLED"), **extra)
        stack.physical_ids[f"{function}{event}"] = name


def _detach_from_moto_polling(stack: Stack) -> None:
    """moto invokes a queue's mapped function itself on every SendMessage (in Docker); the emulator polls instead.
    moto runs in this process (``mock_aws`` or ``ThreadedMotoServer``), so its queues can be told directly."""
    from moto.sqs.models import sqs_backends

    for queue in sqs_backends[stack.account][stack.region].queues.values():
        queue.lambda_event_source_mappings.clear()


def mapping_enabled(lambda_: Any, stack: Stack, function: str, queue_arn: str) -> bool:
    """Whether Lambda polls ``queue_arn`` for ``function`` now (no mapping provisioned: as the template says).
    ``lambda_``: the runner's own Lambda client (a new client for every drain would cost a connection each)."""
    try:
        mappings = lambda_.list_event_source_mappings(FunctionName=stack._ref(function),
                                                      EventSourceArn=queue_arn)["EventSourceMappings"]
    except lambda_.exceptions.ResourceNotFoundException:
        return True
    return not mappings or any(m.get("State") in {"Enabled", "Enabling", "Updating"} for m in mappings)


def schedule_enabled(scheduler: Any, stack: Stack, function: str, event: str) -> bool:
    return bool(scheduler.get_schedule(Name=schedule_name(stack, function, event))["State"] == "ENABLED")
