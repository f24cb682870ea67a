"""Planner: the daily schedule (09:00 WIB) -> reminder notices planned once and queued for the sender.

The event is EventBridge Scheduler's payload (see ``events/planner-schedule.json``); its ``time`` is the
moment the run stands for, so a retried or replayed event plans for its own day. A run that nears the
function's timeout puts a continuation on ``PlannerContinuationQueue``; that queue invokes this function
again with an SQS event (one record: the run's time, part and what it already queued), and it carries on.
All the work is ``reminders.Planner.run``; this adapter counts and logs the outcome (counts only).
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lindungi.config import programs
from lindungi.logs import get_logger, masked_errors
from lindungi.metrics import emit_single
from lindungi.reminders.planner import Part, Planner, PlanReport, event_time
from lindungi.settings import PlannerSettings

logger = get_logger()
metrics = Metrics()
tracer = Tracer()

planner = Planner(boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("kms"), PlannerSettings.from_env(),
                  programs())


@masked_errors(logger)
@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    if records:  # a continuation from PlannerContinuationQueue (batch size 1)
        now, part = Part.from_message(records[0]["body"])
    else:
        now, part = event_time(event), Part()
    logger.set_correlation_id(f"planner#{event.get('id') or '-'}#{part.number}")
    report = planner.run(now, part, time_left=lambda: context.get_remaining_time_in_millis() / 1000)
    _metrics(report)
    return report.to_dict()


def _metrics(report: PlanReport) -> None:
    metrics.add_metric(name="NoticesPlanned", unit=MetricUnit.Count, value=report.planned)
    for program, planned in report.by_program.items():
        emit_single("NoticesPlanned", planned, {"program": program})
    metrics.add_metric(name="NoticesPlannedEarly", unit=MetricUnit.Count, value=report.early)
    metrics.add_metric(name="NoticesRequeued", unit=MetricUnit.Count, value=report.requeued)
    metrics.add_metric(name="NoticesEnqueueFailed", unit=MetricUnit.Count, value=report.enqueue_failed)
    metrics.add_metric(name="PlannerItemsRead", unit=MetricUnit.Count, value=report.items_read)
    if report.continued:
        metrics.add_metric(name="PlannerContinued", unit=MetricUnit.Count, value=1)
    if report.ceiling_reached:
        metrics.add_metric(name="PlannerCeilingReached", unit=MetricUnit.Count, value=1)
        logger.warning("ceiling of SMS per run reached; the rest stays due and goes on the next run",
                       extra={"max_per_run": planner.settings.max_per_run})
    if not report.in_window:
        logger.warning("planner invoked outside the send window; nothing planned", extra={"run_at": report.run_at})
    logger.info("reminders planned", extra=report.to_dict())
