"""Rekap: the daily schedule (10:00 WIB, after the planner) -> reports/rekap/<date>.html and .xlsx in the bucket.

The event is EventBridge Scheduler's payload (see ``events/rekap-schedule.json``); its ``time`` gives the day
the rekap stands for, so a retried event rewrites the same day's files. All the work is
``rekap.publish.Rekapper``; this adapter logs and counts the outcome (counts only, no personal data).
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
from lindungi.rekap.publish import Rekapper, event_day
from lindungi.settings import RekapSettings

logger = get_logger()
metrics = Metrics()
tracer = Tracer()

settings = RekapSettings.from_env()
s3 = boto3.client("s3")
BUCKET = settings.reports_bucket or ""
rekapper = Rekapper(boto3.client("dynamodb"), settings.workers_table, settings.notices_table, programs(),
                    reports=(s3, BUCKET))


@masked_errors(logger)
@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    logger.set_correlation_id(f"rekap#{event.get_id or '-'}")
    today = event_day(event.raw_event, rekapper.programs)
    outcome = rekapper.to_bucket(s3, BUCKET, today)
    metrics.add_metric(name="RekapWorkers", unit=MetricUnit.Count, value=outcome["workers"])
    metrics.add_metric(name="RekapReadUnits", unit=MetricUnit.Count,
                       value=outcome["read"].get("workers_rcu", 0) + outcome["read"].get("notices_rcu", 0))
    logger.info("rekap written", extra=outcome)
    return outcome
