"""The sender: one SQS delivery of a notice -> at most one SMS through SNS, and the notice's outcome.

The ordering that makes it at most once is written out in ``lindungi.reminders.notices``.

Requests. For one SQS batch (up to 10 notices) the sender reads in two ``BatchGetItem``: the notices
with their coverages (the phone of the cover being reminded, updated whenever a list lists it again)
and the key of the cover that would renew each without a gap; then the staff opt-out and the
carrier's unreachable marks of their numbers. The account's SNS opt-out list is read (paginated)
once per ``optout_list_ttl``, not once per number. A sent notice then costs its claim, the
``Publish`` and the record of the outcome.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lindungi import dynamo, sms
from lindungi.config import Programs
from lindungi.dynamo import Unprocessed, serialize
from lindungi.reminders.notices import (
    OUTCOME_UNKNOWN,
    TERMINAL,
    Status,
    iso,
    message_body,
    notice_pk,
    sms_pointer,
)
from lindungi.reminders.reads import BatchReader, Read
from lindungi.reminders.window import Window
from lindungi.settings import SenderSettings

# SNS answers that retrying will not change: recorded as failed at once.
PERMANENT_ERRORS = frozenset({"InvalidParameter", "InvalidParameterValue", "ValidationError"})
POINTED_PER_WRITE = 12
"""Sent notices per ``BatchWriteItem``: each is two items (the notice, its SMS pointer) of the 25 allowed."""
FLUSH_BACKOFF = dynamo.Backoff(cap=1.0, attempts=8)


@dataclass(frozen=True)
class Delivery:
    """One SQS delivery of a notice, as the sender function received it."""

    notice_id: str
    receive_count: int = 1
    receipt_handle: str | None = None


@dataclass(frozen=True)
class SendResult:
    notice_id: str
    status: Status | None
    """The notice's status after this delivery (None: no such notice)."""
    duplicate: bool = False
    """Nothing done: the notice already had its outcome (a duplicate delivery)."""
    deferred_until: datetime | None = None
    message_id: str | None = None
    segments: int | None = None


class RetryLater(Exception):
    """Leave the message on the queue: Lambda reports it as a batch item failure and SQS redelivers it."""


class Sender:
    """Sends one notice per delivery, at most once; see the module docstring for the ordering."""

    def __init__(self, dynamodb: Any, sns: Any, sqs: Any, settings: SenderSettings, programs: Programs) -> None:
        self.dynamodb = dynamodb
        self.sns = sns
        self.sqs = sqs
        self.settings = settings
        self.programs = programs
        reminders = programs.reminders
        self.window = Window(programs.timezone, reminders.send_from_hour, reminders.send_until_hour)
        self.reader = BatchReader(dynamodb, sns, settings.notices_table, settings.workers_table,
                                  settings.optout_list_ttl)
        self._read: dict[str, Read] = {}
        self._batch = False
        self._pending: list[dict[str, Any]] = []
        """Notices published in this batch whose ``sent`` record ``flush`` writes (one BatchWriteItem)."""

    # -- reading: one SQS batch at a time ----------------------------------------------------
    def begin(self, notice_ids: Sequence[str]) -> None:
        """Read what a batch of deliveries needs (``BatchReader.read``); ``handle`` uses and consumes it."""
        self._batch, self._pending = True, []
        try:
            self._read = self.reader.read(notice_ids)
        except Unprocessed as error:
            raise RetryLater(str(error)) from error

    def sns_opted_out(self, e164: str) -> bool:
        return self.reader.sns_opted_out(e164)

    # -- writing -----------------------------------------------------------------------------
    def _update(self, notice: str, sets: Mapping[str, Any], removes: tuple[str, ...], condition: str,
                condition_values: Mapping[str, Any]) -> bool:
        """A conditional update of the notice; False when the condition did not hold."""
        return dynamo.update_if(self.dynamodb, self.settings.notices_table, {"pk": notice_pk(notice)},
                                condition=condition, sets=sets, remove=removes, values=condition_values)

    def finish(self, notice: Mapping[str, Any], status: Status, now: datetime, *, claim: str | None = None,
               **details: Any) -> bool:
        """Record a terminal outcome, from planned or from our own claim."""
        sets = {"status": status.value, "outcome_at": iso(now), **{k: v for k, v in details.items() if v is not None}}
        if claim is None:
            return self._update(notice["notice_id"], sets, ("outbox",), "#status = :from",
                                {":from": Status.PLANNED.value})
        return self._update(notice["notice_id"], sets, ("outbox", "claim_id"),
                            "#status = :from AND claim_id = :claim", {":from": Status.SENDING.value, ":claim": claim})

    def claim(self, notice: Mapping[str, Any], now: datetime, phone: str, text: str) -> str | None:
        claim = uuid.uuid4().hex
        sets = {"status": Status.SENDING.value, "claim_id": claim, "claimed_at": iso(now), "phone": phone,
                "text": text}
        won = self._update(notice["notice_id"], sets, ("outbox",), "#status = :from", {":from": Status.PLANNED.value})
        return claim if won else None

    def release(self, notice: Mapping[str, Any], claim: str, now: datetime, error: str) -> bool:
        """Put a claimed notice back to planned after a failed publish, counting the attempt."""
        sets = {"status": Status.PLANNED.value, "attempts": int(notice.get("attempts", 0)) + 1, "last_error": error,
                "last_attempt_at": iso(now)}
        return self._update(notice["notice_id"], sets, ("claim_id",), "#status = :from AND claim_id = :claim",
                            {":from": Status.SENDING.value, ":claim": claim})

    def record_sent(self, notice: Mapping[str, Any], claim: str, now: datetime, message_id: str, segments: int) -> bool:
        """``sent``, under our claim, or over an ``outcome_unknown`` a too-slow redelivery wrote meanwhile."""
        sets = {"status": Status.SENT.value, "outcome_at": iso(now), "sns_message_id": message_id,
                "segments": segments}
        return self._update(
            notice["notice_id"], sets, ("claim_id", "error"),
            "(#status = :sending AND claim_id = :claim) OR (#status = :failed AND #error = :unknown)",
            {":sending": Status.SENDING.value, ":claim": claim, ":failed": Status.FAILED.value,
             ":unknown": OUTCOME_UNKNOWN},
        )

    def _point(self, message_id: str, notice: Mapping[str, Any]) -> None:
        """The SMS pointer of a notice recorded on its own (outside a batch); without it, receipts use the index."""
        with contextlib.suppress(ClientError, BotoCoreError):
            self.dynamodb.put_item(TableName=self.settings.notices_table,
                                   Item=serialize(sms_pointer(message_id, notice)))

    def flush(self) -> list[str]:
        """Write the batch's ``sent`` records (``BatchWriteItem``, 25 items a request); the ids it could not record.

        Each notice is written as our claim left it, now ``sent`` with its SNS message id, together with its
        ``SMS#<message id>`` pointer (``notices.sms_pointer``) by which receipts find it. The notice is written
        whole and without condition: while we hold the claim nobody else writes the notice, except a
        redelivery after the lease recording ``outcome_unknown``, which ``sent`` rightly replaces (as
        ``record_sent`` does). A notice not recorded stays ``sending``: its message is reported failed, and
        the redelivery after the lease records ``outcome_unknown``; it is never published again. A pointer
        not written only costs its receipt the ``ByMessageId`` index query."""
        pending, self._pending, self._batch = self._pending, [], False
        left: list[str] = []
        for start in range(0, len(pending), POINTED_PER_WRITE):
            chunk = pending[start : start + POINTED_PER_WRITE]
            items = [item for n in chunk for item in (n, sms_pointer(n["sns_message_id"], n))]
            try:
                dynamo.batch_write(self.dynamodb, self.settings.notices_table, items, backoff=FLUSH_BACKOFF)
            except Unprocessed as error:
                left += [str(i["notice_id"]) for i in error.items if i.get("type") != "sms"]
            except (ClientError, BotoCoreError):
                left += [str(i["notice_id"]) for i in chunk]
        return left

    # -- the decision --------------------------------------------------------------------------
    def handle(self, delivery: Delivery, now: datetime | None = None) -> SendResult:
        """Bring one notice to its outcome, or raise ``RetryLater`` to leave the message for another try."""
        now = now or datetime.now(UTC)
        if any(p["notice_id"] == delivery.notice_id for p in self._pending):  # published by this very batch
            return SendResult(delivery.notice_id, Status.SENT, duplicate=True)
        if delivery.notice_id not in self._read:
            batch, pending = self._batch, self._pending
            self.begin([delivery.notice_id])
            self._batch, self._pending = batch, pending
        read = self._read.pop(delivery.notice_id)
        notice = read.notice
        if notice is None:
            return SendResult(delivery.notice_id, None)
        status = Status(notice["status"])
        if status in TERMINAL:
            return SendResult(delivery.notice_id, status, duplicate=True)
        if status is Status.SENDING:
            return self._claimed_elsewhere(notice, delivery, now)
        try:
            return self._planned(notice, read, delivery, now)
        except (ClientError, BotoCoreError) as error:
            # DynamoDB or the opt-out check failed before anything was claimed: retry; on the last
            # receive record the failure, so the message in the DLQ matches a "failed" notice.
            if delivery.receive_count >= self.settings.max_receive_count:
                self.finish(notice, Status.FAILED, now, error=_error_text(error))
            raise RetryLater(_error_text(error)) from error

    def _claimed_elsewhere(self, notice: Mapping[str, Any], delivery: Delivery, now: datetime) -> SendResult:
        last = delivery.receive_count >= self.settings.max_receive_count
        claimed_at = datetime.fromisoformat(notice["claimed_at"])
        if now < claimed_at + self.settings.lease and not last:
            raise RetryLater("claimed by another delivery")
        # The claimant stopped between claim and record (or, on the last receive, is still at it): it may
        # have published. Never publish again; if it does record "sent" later, that overwrites this.
        if not self.finish(notice, Status.FAILED, now, claim=notice["claim_id"], error=OUTCOME_UNKNOWN):
            raise RetryLater("notice changed while recording outcome_unknown")
        return SendResult(notice["notice_id"], Status.FAILED)

    def _outcome(self, notice: Mapping[str, Any], status: Status, now: datetime, **details: Any) -> SendResult:
        if not self.finish(notice, status, now, **details):
            raise RetryLater("notice changed meanwhile")  # redelivered, it will see the new status
        return SendResult(notice["notice_id"], status)

    def _planned(self, notice: Mapping[str, Any], read: Read, delivery: Delivery, now: datetime) -> SendResult:
        local_today = now.astimezone(self.programs.timezone).date()
        if local_today > date.fromisoformat(notice["coverage_end"]):
            return self._outcome(notice, Status.EXPIRED, now)
        contact = read.contact
        if not contact.phone:
            return self._outcome(notice, Status.NO_PHONE, now)
        if not contact.sms_capable:
            return self._outcome(notice, Status.NOT_MOBILE, now)
        if contact.superseded:
            return self._outcome(notice, Status.SUPERSEDED, now)
        if read.staff_opted_out:
            return self._outcome(notice, Status.OPTED_OUT, now, opt_out="staff")
        if read.unreachable:
            return self._outcome(notice, Status.NUMBER_FAILED, now)
        if self.sns_opted_out(contact.phone):
            return self._outcome(notice, Status.OPTED_OUT, now, opt_out="sns")
        if not self.window.is_open(now):
            return self._defer(notice, delivery, now)
        return self._send(notice, delivery, now, contact.phone)

    def _defer(self, notice: Mapping[str, Any], delivery: Delivery, now: datetime) -> SendResult:
        """Outside the window: the message waits, invisible, until the window opens."""
        opens = self.window.next_open(now)
        wait = min(int((opens - now).total_seconds()) + 1, 12 * 3600)  # SQS caps visibility at 12 h
        queue, handle = self.settings.queue_url, delivery.receipt_handle
        if queue and delivery.receive_count >= self.settings.max_receive_count - 1:
            # One more failure and SQS would move it to the DLQ: hand it over to a fresh message instead.
            self.sqs.send_message(QueueUrl=queue, MessageBody=message_body(notice["notice_id"]), DelaySeconds=900)
            return SendResult(notice["notice_id"], Status.PLANNED, deferred_until=opens)
        if queue and handle:
            self.sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=handle, VisibilityTimeout=wait)
        raise RetryLater(f"outside the send window; waits until {opens.isoformat()}")

    def _send(self, notice: Mapping[str, Any], delivery: Delivery, now: datetime, phone: str) -> SendResult:
        reminders = self.programs.reminders
        program = self.programs.get(notice["program"])
        rendered = sms.render(
            reminders.template(notice["program"], int(notice["stage"])),
            name=notice["name"],
            end_date=date.fromisoformat(notice["coverage_end"]),
            program=program.name if program else notice["program"],
            fallback_name=reminders.name_fallback,
        )
        claim = self.claim(notice, now, phone, rendered.text)
        claimed = {k: v for k, v in notice.items() if k != "outbox"} | {
            "status": Status.SENDING.value, "claim_id": claim, "claimed_at": iso(now), "phone": phone,
            "text": rendered.text}
        if claim is None:
            raise RetryLater("claimed by another delivery")
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if reminders.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": reminders.sender_id}
        try:
            response = self.sns.publish(PhoneNumber=phone, Message=rendered.text, MessageAttributes=attributes)
        except (ClientError, BotoCoreError) as error:
            text = _error_text(error)
            code = error.response["Error"]["Code"] if isinstance(error, ClientError) else ""
            if code in PERMANENT_ERRORS:
                self.finish(notice, Status.FAILED, now, claim=claim, error=text)
                return SendResult(notice["notice_id"], Status.FAILED)
            if delivery.receive_count >= self.settings.max_receive_count:
                self.finish(notice, Status.FAILED, now, claim=claim, error=text,
                            attempts=int(notice.get("attempts", 0)) + 1)
            else:
                self.release(notice, claim, now, text)
            raise RetryLater(text) from error
        message_id = str(response["MessageId"])
        if self._batch:  # recorded with the batch's others by ``flush``, under our claim
            sent = {k: v for k, v in claimed.items() if k not in ("claim_id", "error")}
            self._pending.append(sent | {"status": Status.SENT.value, "outcome_at": iso(now),
                                         "sns_message_id": message_id, "segments": rendered.length.segments})
            return SendResult(notice["notice_id"], Status.SENT, message_id=message_id,
                              segments=rendered.length.segments)
        try:
            self.record_sent(notice, claim, now, message_id, rendered.length.segments)
        except (ClientError, BotoCoreError) as error:
            # Sent but not recorded: the notice stays "sending" and ends as outcome_unknown, never re-sent.
            # The SNS message id goes into the retry reason (logged) so an operator can reconcile it.
            raise RetryLater(f"published as {message_id} but not recorded: {_error_text(error)}") from error
        self._point(message_id, notice)
        return SendResult(notice["notice_id"], Status.SENT, message_id=message_id, segments=rendered.length.segments)


def _error_text(error: Exception) -> str:
    if isinstance(error, ClientError):
        err = error.response.get("Error", {})
        return f"{err.get('Code', 'ClientError')}: {err.get('Message', '')}"[:500]
    return f"{type(error).__name__}: {error}"[:500]
