"""The emulator's SQS event source mapping while the sender to the queue runs (``LambdaRunner.feeding``)."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta
from typing import Any

import boto3
import time_machine

from lindungi.config import programs
from lindungi.intake.store import write_items
from lindungi.reminders.planner import run_time
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import REGION, Stack
from lindungi_dev.grants import CallRecorder, missing_grants
from lindungi_dev.reminders_local import scheduled_event_for
from lindungi_dev.samples import coverages

END = date(2025, 5, 31)


def _depths(lambdas: LambdaRunner, queue: str) -> list[int]:
    """The queue's depth each time the sender is invoked (what the mapping found waiting)."""
    sqs: Any = boto3.client("sqs", region_name=REGION)
    url, seen = lambdas.stack.physical(queue), []
    real = lambdas.invoke

    def invoke(function: str, event: dict[str, Any]) -> Any:
        if function == "SenderFunction":
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
            seen.append(len(event["Records"]) + int(attrs["Attributes"]["ApproximateNumberOfMessages"]))
        return real(function, event)

    lambdas.invoke = invoke  # type: ignore[method-assign]
    return seen


def test_the_sender_drains_each_batch_while_the_planner_queues(aws: Stack, lambdas: LambdaRunner) -> None:
    covers = [coverages.coverage(f"61720145098{i:05d}", program="pekerja-rentan", end=END,
                                 phone=f"+6281234{i:06d}", sms_capable=True) for i in range(120)]
    write_items(boto3.client("dynamodb", region_name=REGION), aws.physical("WorkersTable"), covers)
    day = END - timedelta(days=7)
    depths = _depths(lambdas, "ReminderQueue")
    recorder = CallRecorder(aws)
    with (time_machine.travel(run_time(day, programs()), tick=True), lambdas.feeding("ReminderQueue") as fed,
          recorder.recording()):
        report = lambdas.invoke("PlannerFunction", scheduled_event_for(day))
    assert report["planned"] == report["enqueued"] == 120
    # Each call is the function's that made it: the mapping's receives are nobody's, the planner's later
    # sends are still the planner's (its environment came back after each drain), and all are granted.
    by_planner = {c.action for c in recorder.calls if c.function == "PlannerFunction"}
    assert "sqs:SendMessage" in by_planner and "sqs:ReceiveMessage" not in by_planner
    assert {c.function for c in recorder.calls} == {"PlannerFunction", "SenderFunction"}
    assert missing_grants(aws, recorder.calls) == []
    assert fed == {"batches": 12, "messages": 120, "failed": 0}
    assert max(depths) <= 10  # never more than the one batch the planner just sent
    assert lambdas.drain_queue("ReminderQueue", "SenderFunction")["messages"] == 0


def test_without_feeding_the_queue_waits_for_drain_queue(aws: Stack, lambdas: LambdaRunner) -> None:
    covers = [coverages.coverage("6172014509850003", program="pekerja-rentan", end=END, phone="+6281234567891",
                                 sms_capable=True)]
    write_items(boto3.client("dynamodb", region_name=REGION), aws.physical("WorkersTable"), covers)
    day = END - timedelta(days=7)
    with time_machine.travel(run_time(day, programs()), tick=True):
        assert lambdas.invoke("PlannerFunction", scheduled_event_for(day))["enqueued"] == 1
        assert lambdas.drain_queue("ReminderQueue", "SenderFunction")["messages"] == 1


def test_concurrent_batches_while_the_planner_queues(aws: Stack) -> None:
    """The demo's runner: batches handed over at once, on threads; the mapping's own calls still nobody's."""
    lambdas = LambdaRunner(aws, boto3.Session(region_name=REGION), concurrent_batches=True)
    at_once = lambdas.batches_at_once("ReminderQueue", "SenderFunction")
    assert at_once == max(1, min(5, os.cpu_count() or 1))  # the template's MaximumConcurrency, at most the cores
    covers = [coverages.coverage(f"61720145098{i:05d}", program="pekerja-rentan", end=END,
                                 phone=f"+6281234{i:06d}", sms_capable=True) for i in range(120)]
    write_items(boto3.client("dynamodb", region_name=REGION), aws.physical("WorkersTable"), covers)
    day = END - timedelta(days=7)
    running, most, sizes = [0], [0], []
    together = threading.Condition()
    invoke = lambdas.invoke

    def counted(function: str, event: dict[str, Any]) -> Any:
        if function != "SenderFunction":
            return invoke(function, event)
        with together:
            running[0] += 1
            most[0] = max(most[0], running[0])
            sizes.append(len(event["Records"]))
            together.notify_all()
            # Until the round's other batches have started too (a slow thread start on a loaded machine).
            together.wait_for(lambda: running[0] >= at_once, timeout=10)
        try:
            return invoke(function, event)
        finally:
            with together:
                running[0] -= 1

    lambdas.invoke = counted  # type: ignore[method-assign]
    recorder = CallRecorder(aws)
    with (time_machine.travel(run_time(day, programs()), tick=True), lambdas.feeding("ReminderQueue") as fed,
          recorder.recording()):
        report = lambdas.invoke("PlannerFunction", scheduled_event_for(day))
        rest = lambdas.drain_queue("ReminderQueue", "SenderFunction")
    assert report["planned"] == report["enqueued"] == 120
    assert fed["messages"] + rest["messages"] == 120 and fed["failed"] == rest["failed"] == 0
    assert sizes == [10] * 12  # full batches: the mapping waited for them
    assert most[0] == at_once  # the senders of a round ran at the same time
    by_planner = {c.action for c in recorder.calls if c.function == "PlannerFunction"}
    by_sender = {c.action for c in recorder.calls if c.function == "SenderFunction"}
    assert "sqs:SendMessage" in by_planner and "sqs:ReceiveMessage" not in by_planner | by_sender
    assert not {a for a in by_sender if a.startswith("?")}  # DeleteMessageBatch is the mapping's, not the sender's
    assert missing_grants(aws, recorder.calls) == []
    assert os.environ.get("AWS_LAMBDA_FUNCTION_NAME") is None  # every invocation's environment is gone after it
