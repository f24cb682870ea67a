"""Receipts: SNS's SMS delivery-status log events -> the carrier's outcome on each sent notice.

CloudWatch Logs delivers both delivery-status log groups here (subscription filters in template.yaml), each
invocation a gzip+base64 batch under ``awslogs.data``; Powertools' ``CloudWatchLogsEvent`` decodes it. All the
work is ``lindungi.reminders.receipts`` (parse, classify, apply idempotently); a batch that fails is retried
whole, which changes nothing twice. The records hold full phone numbers: the event is never logged, and the
lines this function writes carry masked notice ids and masked numbers only. A batch it cannot record (DynamoDB
still failing after botocore's retries, keys left unprocessed, a bug) is kept on ``ReceiptsFailedQueue`` with
its numbers masked (``lindungi.reminders.failed_receipts``) for ``python -m lindungi replay-receipts``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import boto3
from aws_lambda_powertools import Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent, event_source
from aws_lambda_powertools.utilities.data_classes.cloud_watch_logs_event import (
    CloudWatchLogsDecodedData,
    CloudWatchLogsLogEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from lindungi import phone
from lindungi.config import programs
from lindungi.logs import get_logger, masked_errors
from lindungi.metrics import emit_single
from lindungi.reminders.failed_receipts import failure_messages
from lindungi.reminders.notices import mask_id
from lindungi.reminders.receipts import (
    Applied,
    NotAReceipt,
    Outcome,
    PayloadUnreadable,
    Receipt,
    Receipts,
    decode_payload,
    parse,
)
from lindungi.settings import ReceiptsSettings

logger = get_logger()
metrics = Metrics()
tracer = Tracer()

settings = ReceiptsSettings.from_env()
receipts = Receipts(boto3.client("dynamodb"), settings, programs())
sqs = boto3.client("sqs")

PER_NOTICE = {
    Outcome.DELIVERED: ("NoticeDelivered",),
    # Every SMS the carrier did not deliver counts as failed, the one that is tried again too.
    Outcome.CARRIER_FAILED: ("NoticeCarrierFailed",),
    Outcome.RETRY_PLANNED: ("NoticeCarrierFailed", "NoticeCarrierRetried"),
}
PER_SERVICE = {Outcome.DUPLICATE: "ReceiptDuplicate", Outcome.UNKNOWN_MESSAGE: "ReceiptUnknownMessage",
               Outcome.WRONG_NUMBER: "ReceiptWrongNumber"}


def count(applied: Applied) -> None:
    """Service-wide series feed the alarm; the per program and stage copies feed the dashboard."""
    names = list(PER_NOTICE.get(applied.outcome, ()))
    if applied.number_marked:
        names.append("NumberMarkedUnreachable")
    dimensions = {"program": applied.program or "unknown", "stage": str(applied.stage)}
    for name in names:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        emit_single(name, 1, dimensions)
    if applied.outcome in PER_SERVICE:
        metrics.add_metric(name=PER_SERVICE[applied.outcome], unit=MetricUnit.Count, value=1)


def log(receipt: Receipt, applied: Applied) -> None:
    details = {"notice": mask_id(applied.notice_id) if applied.notice_id else None, "outcome": applied.outcome,
               "message_id": receipt.message_id, "carrier_class": receipt.carrier_class,
               "reason": None if receipt.delivered else receipt.provider_response,
               "number": phone.mask(receipt.destination), "number_marked": applied.number_marked,
               "price_usd": str(receipt.price_usd) if receipt.price_usd is not None else None}
    if applied.outcome is Outcome.UNKNOWN_MESSAGE:
        logger.warning("receipt for a message no notice was sent as; dropped", extra=details)
    elif applied.outcome is Outcome.WRONG_NUMBER:
        logger.warning("receipt names another number than its notice was sent to; dropped", extra=details)
    else:
        logger.info("receipt recorded", extra=details)


def read(event: CloudWatchLogsLogEvent) -> Receipt | None:
    try:
        return parse(event.message)
    except NotAReceipt as error:
        metrics.add_metric(name="ReceiptUnreadable", unit=MetricUnit.Count, value=1)
        logger.warning("log event is not a delivery-status record; dropped",
                       extra={"log_event": event.get_id, "reason": str(error)})
        return None


@tracer.capture_method
def record(events: list[CloudWatchLogsLogEvent]) -> Counter[str]:
    """The batch's receipts applied together (their notices read in one go); outcomes counted, unreadable too."""
    parsed = [read(e) for e in events]
    receipts_ = [r for r in parsed if r is not None]
    outcomes: Counter[str] = Counter(unreadable=len(parsed) - len(receipts_))
    for receipt, applied in zip(receipts_, receipts.apply_all(receipts_), strict=True):
        count(applied)
        log(receipt, applied)
        outcomes[str(applied.outcome)] += 1
    return +outcomes


def keep(function: str, log_group: str, log_stream: str, events: list[CloudWatchLogsLogEvent],
         error_type: str) -> int:
    """The batch on ReceiptsFailedQueue, numbers masked; how many messages it took (raises if SQS refuses)."""
    raw = [{"id": e.get_id, "timestamp": e.timestamp, "message": e.message} for e in events]
    bodies = list(failure_messages(function, log_group, log_stream, raw, error_type))
    for body in bodies:
        sqs.send_message(QueueUrl=settings.failed_queue_url, MessageBody=body)
    return len(bodies)


@masked_errors(logger)
@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@event_source(data_class=CloudWatchLogsEvent)
def handler(event: CloudWatchLogsEvent, context: LambdaContext) -> dict[str, Any]:
    try:
        data = CloudWatchLogsDecodedData(decode_payload(event.raw_logs_data))
    except PayloadUnreadable as error:
        metrics.add_metric(name="ReceiptUnreadable", unit=MetricUnit.Count, value=1)
        logger.warning("delivery-status payload unreadable; set aside", extra={"reason": str(error)})
        return {"log_group": None, "outcomes": {"payload_unreadable": 1}}
    if data.message_type != "DATA_MESSAGE":  # CONTROL_MESSAGE: CloudWatch Logs checking it can reach us
        return {"log_group": data.log_group, "outcomes": {}}
    logger.set_correlation_id(data.log_stream)
    try:
        outcomes = record(data.log_events)
    except Exception as error:  # whatever stopped the batch: DynamoDB, keys left unprocessed, a bug
        # Kept masked and handled: Lambda's own retries would keep it up to three times, and after them there is
        # no OnFailure destination (its record would hold every full number). A kept batch alarms for the
        # morning (ReceiptsFailedQueueAlarm); only what cannot be caught here (a timeout) is retried by Lambda.
        if not settings.failed_queue_url:
            raise
        kept = keep(context.function_name, data.log_group, data.log_stream, data.log_events, type(error).__name__)
        logger.exception("batch not recorded; kept in ReceiptsFailedQueue, numbers masked",
                         extra={"log_group": data.log_group, "events": len(data.log_events), "messages": kept})
        metrics.add_metric(name="ReceiptsKeptForReplay", unit=MetricUnit.Count, value=len(data.log_events))
        return {"log_group": data.log_group, "outcomes": {}, "kept_for_replay": len(data.log_events)}
    logger.info("delivery-status batch done", extra={"log_group": data.log_group, "outcomes": dict(outcomes)})
    return {"log_group": data.log_group, "outcomes": dict(outcomes)}
