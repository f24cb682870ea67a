"""Planner: the daily schedule (09:00 WIB) -> reminder notices planned once and queued for the sender.

The event is EventBridge Scheduler's payload (see ``events/planner-schedule.json``); its ``time`` is the
moment the run stands for, so a retried or replayed event plans for its own day. All the work is
``reminders.Planner.run``; this adapter counts and logs the outcome (counts only, no personal data).
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from lindungi.config import programs
from lindungi.logs import get_logger, masked_errors
from lindungi.metrics import emit_single
from lindungi.reminders.planner import Planner, PlannerSettings, event_time

logger = get_logger()
metrics = Metrics()
tracer = Tracer()

planner = Planner(boto3.client("dynamodb"), boto3.client("sqs"), PlannerSettings.from_env(), programs())


@masked_errors(logger)
@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    logger.set_correlation_id(f"planner#{event.get_id or '-'}")
    report = planner.run(event_time(event.raw_event))
    metrics.add_metric(name="NoticesPlanned", unit=MetricUnit.Count, value=report.planned)
    for program, planned in report.by_program.items():
        emit_single("NoticesPlanned", planned, {"program": program})
    metrics.add_metric(name="NoticesRequeued", unit=MetricUnit.Count, value=report.requeued)
    metrics.add_metric(name="NoticesEnqueueFailed", unit=MetricUnit.Count, value=report.enqueue_failed)
    metrics.add_metric(name="PlannerItemsRead", unit=MetricUnit.Count, value=report.items_read)
    if report.ceiling_reached:
        metrics.add_metric(name="PlannerCeilingReached", unit=MetricUnit.Count, value=1)
        logger.warning("ceiling of SMS per run reached; the rest stays due and goes on the next run",
                       extra={"max_per_run": planner.settings.max_per_run})
    if not report.in_window:
        logger.warning("planner invoked outside the send window; nothing planned", extra={"run_at": report.run_at})
    logger.info("reminders planned", extra=report.to_dict())
    return report.to_dict()
