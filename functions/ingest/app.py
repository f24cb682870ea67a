"""Ingest: an S3 ObjectCreated event under ``incoming/`` -> stored coverages and a report beside it.

Event in (S3 notification, keys URL-encoded), one use-case call per object
(``Ingestor.process``), outcome logged and counted, result out. Duplicate
deliveries and re-uploads of the same bytes store nothing twice: the use case
runs its store step through Powertools Idempotency, on the table and for the
days given here.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from lindungi.intake.ingest import (
    Ingestor,
    Outcome,
    Upload,
    decode_key,
    idempotency_config,
    read_deadline,
    twin_wait_until,
)
from lindungi.logs import get_logger, masked_errors
from lindungi.metrics import emit_single
from lindungi.settings import IngestSettings

logger = get_logger()
metrics = Metrics()
tracer = Tracer()

settings = IngestSettings.from_env()
idempotency = idempotency_config(expires_after_days=settings.idempotency_days)
ingestor = Ingestor(
    s3=boto3.client("s3"),
    dynamodb=boto3.client("dynamodb"),
    table=settings.workers_table,
    persistence=DynamoDBPersistenceLayer(table_name=settings.idempotency_table),
    idempotency=idempotency,
    limits=settings.limits,
)


def upload_of(record: S3EventRecord) -> Upload:
    s3_object = record.s3.get_object
    return Upload(
        bucket=record.s3.bucket.name,
        key=decode_key(s3_object.key),
        version_id=s3_object.version_id,
        size=s3_object.size,
        event_time=record.event_time,
        event_name=record.event_name,
    )


def count(outcome: Outcome) -> None:
    """Metrics per program: files processed and failed (by error code), rows accepted/rejected/warned."""
    program = outcome.program or "unknown"
    metrics.add_dimension(name="program", value=program)
    metrics.add_metric(name="FilesProcessed", unit=MetricUnit.Count, value=1)
    if outcome.error:
        metrics.add_metric(name="FilesFailed", unit=MetricUnit.Count, value=1)
        emit_single("FilesFailedByError", 1, {"program": program, "error": outcome.error})
        return
    metrics.add_metric(name="RowsAccepted", unit=MetricUnit.Count, value=outcome.counts.get("accepted", 0))
    metrics.add_metric(name="RowsRejected", unit=MetricUnit.Count, value=outcome.counts.get("rejected", 0))
    metrics.add_metric(name="RowsWarned", unit=MetricUnit.Count, value=outcome.counts.get("warned", 0))
    if outcome.counts.get("rows_read", 0) and not outcome.counts.get("accepted", 0):
        metrics.add_metric(name="FilesWithNoAcceptedRows", unit=MetricUnit.Count, value=1)


@masked_errors(logger)
@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@event_source(data_class=S3Event)
def handler(event: S3Event, context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    ingestor.failures.register_lambda_context(context)  # an unfinished read's lock lasts this invocation only
    ingestor.limits = settings.limits.within_memory(int(context.memory_limit_in_mb))
    results = []
    for record in event.records:
        upload = upload_of(record)
        logger.set_correlation_id(f"{upload.key}#{upload.version_id or '-'}")
        remaining = context.get_remaining_time_in_millis()
        try:
            outcome = ingestor.process(upload, deadline=read_deadline(remaining), wait_until=twin_wait_until(remaining))
        except IdempotencyAlreadyInProgressError:
            # Another invocation still holds this content after this one waited half its time for it, or held
            # it and was stopped (timeout, crash) before its lock expired. Fail, so Lambda delivers this event
            # again later (then the content is done, or the lock has expired and this run does it), or the
            # event lands in the failure destination for `python -m lindungi replay`: never silently dropped.
            logger.warning("same content in progress elsewhere; failing so this delivery is retried")
            raise
        if outcome.skipped:
            # A folder made in the console, or an object deleted since its event: nothing to read or report.
            logger.info("object skipped", extra={"outcome": outcome.to_dict()})
        elif outcome.replayed:
            metrics.add_metric(name="DuplicateDeliveries", unit=MetricUnit.Count, value=1)
            logger.info("content already processed; nothing stored again", extra={"outcome": outcome.to_dict()})
        else:
            count(outcome)
            logger.info("file processed", extra={"outcome": outcome.to_dict()})
        results.append(outcome.to_dict())
    return {"files": results}
