"""The sender: one SQS delivery of a notice -> at most one SMS through SNS, and the notice's outcome.

The ordering that makes it at most once is written out in ``lindungi.reminders.notices``.

Requests. For one SQS batch (up to 10 notices) the sender first opens the sealed bodies
(``reminders.sealed``: a ``kms:Decrypt`` only for a data key this container has not seen yet, one a planner
run), then reads in two ``BatchGetItem``: the notices
with their coverages (the phone of the cover being reminded, updated whenever a list lists it again)
and their workers' own items (every cover's period: renewed is ``lindungi.renewal``'s answer); then
the staff opt-out and the carrier's unreachable marks of their numbers. The account's SNS opt-out list
is read (paginated) once per ``optout_list_ttl``, not once per number. A sent notice then costs its claim, the
``Publish`` and the record of the outcome: the batch's ``sent`` records go in one ``BatchWriteItem`` per
twelve notices when the batch ends.

The batch is visible: ``SenderBatch`` is a Powertools ``BatchProcessor`` made for one invocation, whose
``_prepare`` reads, whose records are each decided by ``Sender.decide``, and whose ``_clean`` records what
the batch published and reports the messages of notices it could not record as failed (the handler returns
``process_partial_response`` as Powertools builds it). ``Sender.handle`` is the same decision for one
delivery on its own, its ``sent`` recorded at once. Every write to a notice is a ``NoticeStore`` transition.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError

from lindungi import sms
from lindungi.config import Programs
from lindungi.dynamo import Unprocessed
from lindungi.reminders.notices import (
    OUTCOME_UNKNOWN,
    TERMINAL,
    Notice,
    NoticeStore,
    Status,
    sent,
)
from lindungi.reminders.reads import BatchReader, Read
from lindungi.reminders.sealed import KeyUnavailable, Opener, Refused
from lindungi.reminders.window import Window
from lindungi.settings import SenderSettings

# SNS answers that retrying will not change: recorded as failed at once.
PERMANENT_ERRORS = frozenset({"InvalidParameter", "InvalidParameterValue", "ValidationError"})


@dataclass(frozen=True)
class Delivery:
    """One SQS delivery of a notice, as the sender function received it (``Sender.delivery`` opens its body)."""

    notice_id: str
    receive_count: int = 1
    receipt_handle: str | None = None
    body: str | None = None
    """The message body as received (sealed): what a deferral hands over to a fresh message, unopened."""
    legacy: bool = False
    """The body was the old clear form (``{"notice_id": ...}``), accepted for one release."""


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


@dataclass(frozen=True)
class Published:
    """The SMS went out: the notice as our claim left it, and the ``sent`` record still to write."""

    claimed: Notice
    sent: Notice
    segments: int

    @property
    def message_id(self) -> str:
        return str(self.sent.sns_message_id)

    @property
    def result(self) -> SendResult:
        return SendResult(self.sent.notice_id, Status.SENT, message_id=self.message_id, segments=self.segments)


VISIBILITY_MAX_SECONDS = 12 * 3600 - 15 * 60
"""The longest a deferred delivery asks SQS to hide its message. SQS refuses a visibility timeout that would
end more than 12 hours after the message was received, and the message has been in hand since it was
received (the batch, the reads): at 20:00:00 WIB the wait until 08:00 is exactly 12 hours, which SQS would
refuse, the message would come back at once, and on its last receive the notice would end ``failed``. So a
wait ends 15 minutes short of 12 hours, and the message, back before 08:00, is deferred once more."""


class RetryLater(Exception):
    """Leave the message on the queue: Lambda reports it as a batch item failure and SQS redelivers it."""


class Sender:
    """Sends one notice per delivery, at most once; see ``lindungi.reminders.notices`` for the ordering."""

    def __init__(self, dynamodb: Any, sns: Any, sqs: Any, kms: Any, settings: SenderSettings,
                 programs: Programs) -> None:
        self.dynamodb = dynamodb
        self.sns = sns
        self.sqs = sqs
        self.opener = Opener(kms, settings.queue_key)
        """Opens the sealed bodies; keeps each data key once decrypted (one ``kms:Decrypt`` a run a container)."""
        self.settings = settings
        self.programs = programs
        reminders = programs.reminders
        self.window = Window(programs.timezone, reminders.send_from_hour, reminders.send_until_hour)
        self.notices = NoticeStore(dynamodb, settings.notices_table)
        self.reader = BatchReader(dynamodb, sns, settings.notices_table, settings.workers_table,
                                  settings.optout_list_ttl, programs.renewal)
        """Reads per batch; keeps only the account's SNS opt-out list (a cache with its own lifetime)."""

    def delivery(self, record: SQSRecord) -> Delivery:
        """The delivery an SQS record carries, its body opened. ``Refused``: the body will never open (malformed,
        another key, tampered); the message is reported failed on every receive and ends in the DLQ, while the
        notice it stood for, never acted on, stays in the outbox for the planner's next run to queue again.
        ``RetryLater``: KMS did not answer the data key."""
        try:
            opened = self.opener.open(record.body)
        except KeyUnavailable as error:
            raise RetryLater(str(error)) from error
        return Delivery(opened.notice_id, int(record.attributes.approximate_receive_count or 1),
                        record.receipt_handle, record.body, opened.legacy)

    def read(self, notice_ids: Iterable[str]) -> dict[str, Read]:
        """What deliveries of these notices need (``BatchReader.read``); ``RetryLater`` if DynamoDB left keys."""
        try:
            return self.reader.read(list(notice_ids))
        except Unprocessed as error:
            raise RetryLater(str(error)) from error

    def handle(self, delivery: Delivery, now: datetime | None = None) -> SendResult:
        """One delivery on its own: its notice read alone, its ``sent`` recorded at once (a conditional update).

        Brings the notice to its outcome, or raises ``RetryLater`` to leave the message for another try."""
        now = now or datetime.now(UTC)
        outcome = self.decide(delivery, self.read([delivery.notice_id])[delivery.notice_id], now)
        if isinstance(outcome, SendResult):
            return outcome
        try:
            self.notices.record_sent(outcome.claimed, now, outcome.message_id, outcome.segments)
        except (ClientError, BotoCoreError) as error:
            # Sent but not recorded: the notice stays "sending" and ends as outcome_unknown, never re-sent.
            # The SNS message id goes into the retry reason (logged) so an operator can reconcile it.
            raise RetryLater(f"published as {outcome.message_id} but not recorded: {_error_text(error)}") from error
        return outcome.result

    # -- the decision --------------------------------------------------------------------------
    def decide(self, delivery: Delivery, read: Read, now: datetime) -> SendResult | Published:
        """Bring one notice to its outcome (``Published``: its ``sent`` record is the caller's to write), or
        raise ``RetryLater`` to leave the message for another try."""
        notice = read.notice
        if notice is None:
            return SendResult(delivery.notice_id, None)
        if notice.status in TERMINAL:
            return SendResult(delivery.notice_id, notice.status, duplicate=True)
        if notice.status is Status.SENDING:
            return self._claimed_elsewhere(notice, delivery, now)
        try:
            return self._planned(notice, read, delivery, now)
        except (ClientError, BotoCoreError) as error:
            # DynamoDB or the opt-out check failed before anything was claimed: retry; on the last
            # receive record the failure, so the message in the DLQ matches a "failed" notice.
            if delivery.receive_count >= self.settings.max_receive_count:
                self.notices.finish(notice, Status.FAILED, now, error=_error_text(error))
            raise RetryLater(_error_text(error)) from error

    def _claimed_elsewhere(self, notice: Notice, delivery: Delivery, now: datetime) -> SendResult:
        last = delivery.receive_count >= self.settings.max_receive_count
        claimed_at = datetime.fromisoformat(str(notice.claimed_at))
        if now < claimed_at + self.settings.lease and not last:
            raise RetryLater("claimed by another delivery")
        # The claimant stopped between claim and record (or, on the last receive, is still at it): it may
        # have published. Never publish again; if it does record "sent" later, that overwrites this.
        if not self.notices.finish(notice, Status.FAILED, now, error=OUTCOME_UNKNOWN):
            raise RetryLater("notice changed while recording outcome_unknown")
        return SendResult(notice.notice_id, Status.FAILED)

    def _outcome(self, notice: Notice, status: Status, now: datetime, opt_out: str | None = None) -> SendResult:
        if not self.notices.finish(notice, status, now, opt_out=opt_out):
            raise RetryLater("notice changed meanwhile")  # redelivered, it will see the new status
        return SendResult(notice.notice_id, status)

    def _planned(self, notice: Notice, read: Read, delivery: Delivery, now: datetime) -> SendResult | Published:
        local_today = now.astimezone(self.programs.timezone).date()
        if local_today > notice.ends:
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
        if self.reader.sns_opted_out(contact.phone):
            return self._outcome(notice, Status.OPTED_OUT, now, opt_out="sns")
        if not self.window.is_open(now):
            return self._defer(notice, delivery, now)
        return self._send(notice, delivery, now, contact.phone)

    def _defer(self, notice: Notice, delivery: Delivery, now: datetime) -> SendResult:
        """Outside the window: the message waits, invisible, until the window opens."""
        opens = self.window.next_open(now)
        wait = min(int((opens - now).total_seconds()) + 1, VISIBILITY_MAX_SECONDS)
        queue, handle = self.settings.queue_url, delivery.receipt_handle
        if queue and delivery.body and delivery.receive_count >= self.settings.max_receive_count - 1:
            # One more failure and SQS would move it to the DLQ: hand it over to a fresh message instead, the
            # same sealed body (the sender seals nothing: it has no data key of its own).
            self.sqs.send_message(QueueUrl=queue, MessageBody=delivery.body, DelaySeconds=900)
            return SendResult(notice.notice_id, Status.PLANNED, deferred_until=opens)
        if queue and handle:
            self.sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=handle, VisibilityTimeout=wait)
        raise RetryLater(f"outside the send window; waits until {opens.isoformat()}")

    def _send(self, notice: Notice, delivery: Delivery, now: datetime, phone: str) -> SendResult | Published:
        reminders = self.programs.reminders
        program = self.programs.get(notice.program)
        rendered = sms.render(
            reminders.template(notice.program, notice.stage),
            name=notice.name or "",
            end_date=notice.ends,
            program=program.name if program else notice.program,
            fallback_name=reminders.name_fallback,
        )
        claimed = self.notices.claim(notice, now, phone, rendered.text)
        if claimed is None:
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
                self.notices.finish(claimed, Status.FAILED, now, error=text)
                return SendResult(notice.notice_id, Status.FAILED)
            if delivery.receive_count >= self.settings.max_receive_count:
                self.notices.finish(claimed, Status.FAILED, now, error=text, attempts=(notice.attempts or 0) + 1)
            else:
                self.notices.release(claimed, now, text)
            raise RetryLater(text) from error
        segments = rendered.length.segments
        return Published(claimed, sent(claimed, now, str(response["MessageId"]), segments), segments)


class SenderBatch(BatchProcessor):
    """One invocation's SQS batch, as Powertools' ``process_partial_response`` runs it; made afresh each time.

    ``_prepare`` opens each record's sealed body (``Sender.delivery``) and reads what the batch needs
    (``Sender.read``: two ``BatchGetItem``); ``handle`` decides each delivery against that read
    (``Sender.decide``), keeping what it published; ``_clean`` records those (``NoticeStore.record_sent_all``:
    one ``BatchWriteItem`` per twelve notices) and reports the message of each notice it could not record as
    failed, before Powertools builds ``batchItemFailures``: that notice stays ``sending``, its redelivery after
    the lease records ``outcome_unknown``, and it is never published twice. A record whose body does not open
    fails alone (``delivery`` raises what opening it raised). If the batch's read fails, each delivery reads its
    own notice and a failure surfaces there, per message (``read_error`` says why). ``now``: one fixed moment for
    the whole batch (benchmarks, demos)."""

    def __init__(self, sender: Sender, now: datetime | None = None) -> None:
        super().__init__(EventType.SQS, raise_on_entire_batch_failure=False)  # all failed: still a partial answer
        self.sender = sender
        self.now = now
        self.opened: dict[str, Delivery | Exception] = {}
        """Each record's delivery (or why its body did not open), by SQS message id."""
        self.reads: dict[str, Read] = {}
        """What ``_prepare`` read, by notice id; each is used once (a second delivery of the id reads again)."""
        self.read_error: str | None = None
        self.published: dict[str, Published] = {}
        self.unrecorded: list[str] = []
        """Notices published by this batch whose ``sent`` record failed (their messages reported failed)."""

    def _prepare(self) -> None:
        super()._prepare()
        for record in self.records:
            with contextlib.suppress(Refused, RetryLater):
                self.delivery(SQSRecord(record))
        try:
            self.reads = self.sender.read(d.notice_id for d in self.opened.values() if isinstance(d, Delivery))
        except (RetryLater, ClientError, BotoCoreError) as error:
            self.read_error = _error_text(error)

    def delivery(self, record: SQSRecord) -> Delivery:
        """The record's delivery, its body opened once a batch; raises ``Refused`` or ``RetryLater`` as
        ``Sender.delivery`` did."""
        found = self.opened.get(record.message_id)
        if found is None:
            try:
                found = self.sender.delivery(record)
            except (Refused, RetryLater) as error:
                found = error
            self.opened[record.message_id] = found
        if isinstance(found, Exception):
            raise found
        return found

    def handle(self, delivery: Delivery) -> SendResult:
        """Bring one delivery's notice to its outcome, or raise ``RetryLater`` (the message is then reported
        failed and SQS redelivers it)."""
        now = self.now or datetime.now(UTC)
        if delivery.notice_id in self.published:  # published by this very batch
            return SendResult(delivery.notice_id, Status.SENT, duplicate=True)
        read = self.reads.pop(delivery.notice_id, None) or self.sender.read([delivery.notice_id])[delivery.notice_id]
        outcome = self.sender.decide(delivery, read, now)
        if isinstance(outcome, SendResult):
            return outcome
        self.published[delivery.notice_id] = outcome
        return outcome.result

    def handle_record(self, record: SQSRecord) -> SendResult:
        """``handle`` for Powertools' record handler."""
        return self.handle(self.delivery(record))

    def _clean(self) -> None:
        self.unrecorded = self.sender.notices.record_sent_all([p.sent for p in self.published.values()])
        lost = [r for r in self.records if self._notice_id(r) in self.unrecorded and r in self.success_messages]
        self.success_messages = [m for m in self.success_messages if m not in lost]
        for record in lost:
            message_id = self.published[str(self._notice_id(record))].message_id
            failure = RetryLater(f"published as {message_id} but not recorded; left for outcome_unknown")
            self.failure_handler(SQSRecord(record), (RetryLater, failure, None))
        super()._clean()

    def _notice_id(self, record: Mapping[str, Any]) -> str | None:
        """The notice id a record carried; None for one whose body did not open (it failed in its own record)."""
        found = self.opened.get(str(record.get("messageId")))
        return found.notice_id if isinstance(found, Delivery) else None


def _error_text(error: Exception) -> str:
    if isinstance(error, ClientError):
        err = error.response.get("Error", {})
        return f"{err.get('Code', 'ClientError')}: {err.get('Message', '')}"[:500]
    return f"{type(error).__name__}: {error}"[:500]
