"""Sender: a batch of queued notices -> one Transactional SMS each through SNS, at most once, outcome recorded.

Each SQS record carries one notice id, sealed (``lindungi.reminders.sealed``). The invocation's batch is a
``lindungi.reminders.sender.SenderBatch`` (a Powertools ``BatchProcessor``): it opens the bodies and reads the
batch's notices before the records, decides each, and records the batch's ``sent`` notices after them (see the
ordering in ``lindungi.reminders.notices``). A record that must be tried again (SNS throttling, outside
08:00-20:00 WIB, a concurrent delivery, a ``sent`` record that could not be written, KMS not answering) is
reported in ``batchItemFailures``, so only it returns to the queue; after ``MAX_RECEIVE_COUNT`` receives SQS
moves it to the DLQ, recorded "failed" first. A body that never opens (``NoticeBodyRefused``: malformed,
another key, tampered) fails every receive and ends in the DLQ too, no notice touched.
Logs carry masked notice ids and outcomes, never names or numbers.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import boto3
from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lindungi.config import programs
from lindungi.logs import get_logger, masked_errors
from lindungi.metrics import emit_single
from lindungi.reminders.notices import Status, mask_id, program_of
from lindungi.reminders.sealed import Refused
from lindungi.reminders.sender import RetryLater, Sender, SenderBatch
from lindungi.settings import SenderSettings

logger = get_logger()
metrics = Metrics()
tracer = Tracer()

sender = Sender(boto3.client("dynamodb"), boto3.client("sns"), boto3.client("sqs"), boto3.client("kms"),
                SenderSettings.from_env(), programs())

METRIC = {status: "Notice" + status.value.title().replace("_", "") for status in Status}
"""NoticeSent, NoticeOptedOut, NoticeNoPhone, NoticeNotMobile, NoticeSuperseded, NoticeExpired, NoticeFailed,
NoticeNumberFailed (and NoticeDelivered, NoticeCarrierFailed, which the receipts function emits)."""


@tracer.capture_method
def record_handler(batch: SenderBatch, record: SQSRecord) -> None:
    try:
        delivery = batch.delivery(record)
    except Refused as refused:
        # Never opened, whatever the retries: it ends in ReminderDLQ (reminder-dlq says why); the notice it
        # stood for, if this stack planned it, is still in the outbox and the next planner run queues it again.
        metrics.add_metric(name="NoticeBodyRefused", unit=MetricUnit.Count, value=1)
        logger.error("message refused: not a reminder sealed with this stack's key",
                     extra={"message_id": record.message_id, "reason": str(refused),
                            "receive_count": record.attributes.approximate_receive_count})
        raise
    except RetryLater as retry:
        metrics.add_metric(name="NoticeRetried", unit=MetricUnit.Count, value=1)
        logger.warning("message not opened; left for retry", extra={"message_id": record.message_id,
                                                                     "reason": str(retry)})
        raise
    notice = mask_id(delivery.notice_id)
    logger.set_correlation_id(notice)
    try:
        result = batch.handle(delivery)
    except RetryLater as retry:
        metrics.add_metric(name="NoticeRetried", unit=MetricUnit.Count, value=1)
        logger.warning("notice left for retry", extra={"notice": notice, "reason": str(retry),
                                                       "receive_count": delivery.receive_count})
        raise
    if result.duplicate:
        metrics.add_metric(name="NoticeDuplicateDelivery", unit=MetricUnit.Count, value=1)
    elif result.status is not None and result.status is not Status.PLANNED:
        # Service-wide series feed the alarms; the per-program copy feeds the dashboard.
        metrics.add_metric(name=METRIC[result.status], unit=MetricUnit.Count, value=1)
        dimensions = {"program": program_of(delivery.notice_id)}
        emit_single(METRIC[result.status], 1, dimensions)
        if result.segments:
            metrics.add_metric(name="SmsSegments", unit=MetricUnit.Count, value=result.segments)
            emit_single("SmsSegments", result.segments, dimensions)
    logger.info("notice handled", extra={"notice": notice, "status": result.status, "duplicate": result.duplicate,
                                         "segments": result.segments, "deferred_until": result.deferred_until,
                                         **({"old_clear_body": True} if delivery.legacy else {})})


@masked_errors(logger)
@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    batch = SenderBatch(sender)  # this invocation's: its reads, what it published, what it could not record
    response = process_partial_response(event=event, record_handler=partial(record_handler, batch), processor=batch,
                                        context=context)
    if batch.read_error:
        logger.warning("batch read failed; each notice was read alone", extra={"reason": batch.read_error})
    if batch.unrecorded:
        logger.error("sent but not recorded; left for outcome_unknown", extra={"notices": len(batch.unrecorded)})
    return dict(response)
