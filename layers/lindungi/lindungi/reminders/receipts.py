"""Carrier receipts: SNS's SMS delivery-status log records -> the carrier's outcome on each sent notice.

SNS writes one JSON record per SMS to ``sns/<region>/<account>/DirectPublishToPhoneNumber`` (delivered) or
``.../Failure`` (not delivered), as documented in "Viewing Amazon CloudWatch metrics and logs for SMS
deliveries"::

    {"notification": {"messageId": "34d9b400-...", "timestamp": "2016-06-28 00:40:34.558"},
     "delivery": {"destination": "+62812...", "priceInUSD": 0.00645, "smsType": "Transactional",
                  "providerResponse": "Message has been accepted by phone carrier", "dwellTimeMs": 599,
                  "dwellTimeMsUntilDeviceAck": 1344, "mcc": 510, "mnc": 10, "phoneCarrier": "..."},
     "status": "SUCCESS"}

The notices of one batch of records are found together: the sender wrote an ``SMS#<message id>`` pointer
beside each ``sent`` record (``notices.sms_pointer``), so one ``BatchGetItem`` gives the notice ids and a
second the notices themselves (both consistent reads, a hundred keys a request). A message whose pointer
is missing (its write failed, or it was sent before pointers existed) is looked up in the sparse index
``ByMessageId``, which projects what the decision needs (``INDEXED``). Each notice is then updated
conditionally on still being ``sent`` with that message id, so the same record twice (a retried batch, a
replay, twice in one batch) changes nothing, and a record for a message no notice knows is reported and
dropped. About one request a receipt (its UpdateItem, the batch's reads shared), two when the number is
marked; the index's lag only matters to the fallback, where a stale entry makes the condition fail, which
is a duplicate: no later state of a notice is ever ``sent`` with the same id again.

- SUCCESS: ``delivered`` (``carrier_at``, ``price_usd``); never sent again.
- FAILURE, temporary reason (phone off, carrier unreachable), the first time, the cover not ended by the
  next day: back to ``planned`` in the outbox for the next day's 08:00 WIB (``carrier_retries=1``); the
  planner's outbox requeue sends it once more. A second temporary failure is final.
- FAILURE, permanent reason (no such subscriber, SMS blocked, opted out): ``carrier_failed``, and the number
  goes on the ``UNREACHABLE#<e164>`` list, which the sender treats like an opt-out (``number_failed``)
  until staff remove it (``python -m lindungi unreachable remove NUMBER``) or list a new number.
- FAILURE, anything else (the message or the account, not the number): ``carrier_failed``, never retried.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from lindungi import dynamo, phone
from lindungi.config import Programs
from lindungi.dynamo import deserialize, serialize
from lindungi.reminders.notices import (
    MESSAGE_INDEX,
    SMS_PREFIX,
    Notice,
    NoticeStore,
    Status,
    iso,
    notice_pk,
    unreachable_pk,
)
from lindungi.settings import ReceiptsSettings

INDEXED = ("status", "notice_id", "nik", "program", "stage", "coverage_end", "phone", "carrier_retries")
"""Attributes ``ByMessageId`` projects (template.yaml, NonKeyAttributes): what ``Receipts.apply`` reads."""


class CarrierClass(StrEnum):
    TEMPORARY = "temporary"
    """Worth one more try on a later day: the phone or its carrier could not be reached."""
    PERMANENT = "permanent"
    """The number itself will not take our SMS: staff need a new number."""
    UNKNOWN = "unknown"
    """Not attributable to the number (the message, the account, or no reason given): never retried."""


# The provider's reason -> class, matched after ``_normal`` (case, spaces, a final full stop). Started from
# cds-snc/notification-api, app/celery/process_sns_receipts_tasks.py, ``determine_status``, which maps the
# same SNS reasons to its temporary / permanent / technical failures; where we differ, the row says why.
PROVIDER_RESPONSES: dict[str, CarrierClass] = {
    # cds-snc: temporary. Ours too.
    "phone carrier is currently unreachable/unavailable": CarrierClass.TEMPORARY,
    # cds-snc: permanent. Ours: temporary. A phone switched off or out of coverage (a plantation worker in
    # the field) answers another day; one more SMS costs less than a worker who misses the stage.
    "phone is currently unreachable/unavailable": CarrierClass.TEMPORARY,
    # cds-snc: permanent. Ours too: the number's owner said stop.
    "phone number is opted out": CarrierClass.PERMANENT,
    # cds-snc: technical (a fault between Notify and its provider). Ours: permanent. The number does not
    # exist or refuses SMS; recycled numbers reach strangers, so it is not texted until staff have a new one.
    "invalid phone number": CarrierClass.PERMANENT,
    "phone has blocked sms": CarrierClass.PERMANENT,
    "phone is on a blocked list": CarrierClass.PERMANENT,
    "destination is on a blocked list": CarrierClass.PERMANENT,
    # cds-snc: technical. Ours: unknown. About the message or the account, not the number: marking the
    # number would be wrong and retrying the same text the same way would fail the same way.
    "phone carrier has blocked this message": CarrierClass.UNKNOWN,
    "blocked as spam by phone carrier": CarrierClass.UNKNOWN,
    "message body is invalid": CarrierClass.UNKNOWN,
    "this delivery would exceed max price": CarrierClass.UNKNOWN,
    "unknown error attempting to reach phone": CarrierClass.UNKNOWN,
}
# Then, for reasons not in the table (SNS words them differently now and then), the first phrase contained.
PROVIDER_PHRASES: tuple[tuple[str, CarrierClass], ...] = (
    ("is opted out", CarrierClass.PERMANENT),  # cds-snc's own fallback
    ("invalid phone number", CarrierClass.PERMANENT),
    ("currently unreachable", CarrierClass.TEMPORARY),
)


def _normal(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".")


def classify(provider_response: str | None) -> CarrierClass:
    """The class of a failed SMS's ``providerResponse``; unknown when it is missing or unlike any known one."""
    reason = _normal(provider_response or "")
    if reason in PROVIDER_RESPONSES:
        return PROVIDER_RESPONSES[reason]
    return next((cls for phrase, cls in PROVIDER_PHRASES if phrase in reason), CarrierClass.UNKNOWN)


class NotAReceipt(ValueError):
    """A log event that is not an SMS delivery-status record (or lacks its message id or status)."""


@dataclass(frozen=True)
class Receipt:
    """One SMS delivery-status record."""

    message_id: str
    delivered: bool
    provider_response: str
    published_at: datetime
    answered_at: datetime
    """When the carrier answered: the publish time plus SNS's dwell time (until the handset's ack if given)."""
    price_usd: Decimal | None = None
    destination: str | None = None

    @property
    def carrier_class(self) -> CarrierClass | None:
        return None if self.delivered else classify(self.provider_response)


def _moment(text: Any) -> datetime:
    moment = datetime.fromisoformat(str(text))  # "2016-06-28 00:40:34.558", UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, ArithmeticError, RecursionError)
"""Whatever a forged or broken record makes parsing raise (a ``delivery`` that is no object, a non-numeric
dwell time or price, a timestamp out of range, JSON nested too deep): each is ``NotAReceipt``."""
_MAX_DWELL_MS = 7 * 24 * 3600 * 1000
"""SNS reports within 72 hours; a dwell time beyond a week is not a carrier's answer."""


def parse(message: str) -> Receipt:
    """The receipt in one log event's message (SNS's JSON), or ``NotAReceipt``: never another exception, and
    never a value of the record in the error (it may be forged, a name, a number), only the kind of fault."""
    try:
        return _parse(message)
    except _UNREADABLE as error:
        raise NotAReceipt(f"not an SMS delivery-status record: {type(error).__name__}") from None


def _parse(message: str) -> Receipt:
    record = json.loads(message, parse_float=Decimal)
    notification, delivery = record["notification"], record.get("delivery") or {}
    if not isinstance(delivery, dict):
        raise TypeError("delivery is not an object")
    message_id, status = notification["messageId"], record["status"]
    if not isinstance(message_id, str) or not message_id or status not in {"SUCCESS", "FAILURE"}:
        raise ValueError("no message id, or an unexpected delivery status")
    published = _moment(notification["timestamp"])
    dwell = int(delivery.get("dwellTimeMsUntilDeviceAck") or delivery.get("dwellTimeMs") or 0)
    if not 0 <= dwell <= _MAX_DWELL_MS:
        raise ValueError("dwell time out of range")
    price = delivery.get("priceInUSD")
    price_usd = Decimal(str(price)) if price is not None else None
    if price_usd is not None and not (price_usd.is_finite() and price_usd >= 0):
        raise ValueError("price is not a finite amount")  # DynamoDB refuses NaN and Infinity
    destination = delivery.get("destination")
    if destination is not None and not isinstance(destination, str):
        raise TypeError("destination is not a string")
    return Receipt(
        message_id=message_id,
        delivered=status == "SUCCESS",
        provider_response=str(delivery.get("providerResponse") or "")[:1_000],
        published_at=published,
        answered_at=published + timedelta(milliseconds=dwell),
        price_usd=price_usd,
        destination=destination,
    )


PAYLOAD_MAX_BYTES = 16 * 2**20
"""The most a delivery-status batch may inflate to. CloudWatch Logs sends a subscription at most about 1 MB
of log events a batch; a payload inflating past this is not one of its batches (a gzip bomb would exhaust the
function's memory) and is set aside whole."""


class PayloadUnreadable(ValueError):
    """A subscription payload that is not base64 of gzip of a JSON object, or inflates past ``PAYLOAD_MAX_BYTES``:
    set aside whole (retrying it would fail the same way every time)."""


def decode_payload(data: str, limit: int = PAYLOAD_MAX_BYTES) -> dict[str, Any]:
    """``awslogs.data`` (base64 of gzip of JSON) decoded, inflating at most ``limit`` bytes."""
    try:
        packed = base64.b64decode(data)
    except ValueError as error:
        raise PayloadUnreadable("not base64") from error
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)  # gzip or zlib, as Powertools reads it
    try:
        raw = inflater.decompress(packed, limit + 1)
    except zlib.error as error:
        raise PayloadUnreadable("not gzip") from error
    if len(raw) > limit or inflater.unconsumed_tail:
        raise PayloadUnreadable(f"inflates past {limit} bytes")
    try:
        decoded = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise PayloadUnreadable("not JSON") from error
    if not isinstance(decoded, dict):
        raise PayloadUnreadable("not a JSON object")
    return decoded


def same_number(receipt: Receipt, notice: Notice) -> bool:
    """Whether the receipt's destination is the number the notice was sent to (digits compared; a receipt or
    notice without a number is not contradicted). A record replayed from ``ReceiptsFailedQueue`` carries its
    destination masked (``failed_receipts.masked``): it is compared with the notice's number masked the same way."""
    if not receipt.destination or not notice.phone:
        return True
    if "*" in receipt.destination:
        return receipt.destination == phone.mask(notice.phone)
    digits = lambda text: "".join(ch for ch in text if ch.isdigit())  # noqa: E731
    return digits(receipt.destination) == digits(notice.phone)


class Outcome(StrEnum):
    DELIVERED = "delivered"
    CARRIER_FAILED = "carrier_failed"
    RETRY_PLANNED = "retry_planned"
    """Temporary failure, first time: the notice is planned again for a later day."""
    DUPLICATE = "duplicate"
    """The notice already has this receipt's outcome (or was sent again since): nothing changed."""
    UNKNOWN_MESSAGE = "unknown_message"
    """No notice was sent with this message id: nothing changed."""
    WRONG_NUMBER = "wrong_number"
    """The receipt names another destination than the number the notice was sent to: nothing changed."""


@dataclass(frozen=True)
class Applied:
    outcome: Outcome
    notice_id: str | None = None
    program: str | None = None
    stage: int | None = None
    carrier_class: CarrierClass | None = None
    number_marked: bool = False
    """The number was put on the UNREACHABLE list (a permanent failure)."""


class Receipts:
    """Applies receipts to NoticesTable, each at most once (see the module docstring).

    A temporary failure is planned again for the next local day (the programs' time zone) at the hour the
    send window opens.
    """

    def __init__(self, dynamodb: Any, settings: ReceiptsSettings, programs: Programs) -> None:
        self.dynamodb = dynamodb
        self.notices_table = settings.notices_table
        self.notices = NoticeStore(dynamodb, settings.notices_table)
        self.timezone = programs.timezone
        self.retry_hour = programs.reminders.send_from_hour

    def find(self, message_ids: Sequence[str]) -> dict[str, Notice]:
        """The notices sent as these message ids (``INDEXED`` and the message id), by message id."""
        pointers = self._get([SMS_PREFIX + m for m in message_ids], ("pk", "notice_id"))
        by_notice = {str(p["notice_id"]): p["pk"].removeprefix(SMS_PREFIX) for p in pointers.values()}
        found = {by_notice[n["notice_id"]]: Notice.from_item(n)
                 for n in self._get([notice_pk(n) for n in by_notice], (*INDEXED, "pk", "sns_message_id")).values()}
        for message_id in dict.fromkeys(m for m in message_ids if m not in found):
            if (notice := self._indexed(message_id)) is not None:
                found[message_id] = notice
        return found

    def _get(self, pks: Sequence[str], fields: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Items by ``pk`` (``dynamo.batch_get``: consistent, 100 a request; ``Unprocessed`` fails the batch,
        which CloudWatch Logs' invoke then retries whole)."""
        got = dynamo.batch_get(self.dynamodb, {self.notices_table: [{"pk": pk} for pk in pks]},
                               fields={self.notices_table: fields})
        return {item["pk"]: item for item in got[self.notices_table]}

    def _indexed(self, message_id: str) -> Notice | None:
        """The fallback: the notice sent as ``message_id`` in the ``ByMessageId`` index."""
        response = self.dynamodb.query(
            TableName=self.notices_table, IndexName=MESSAGE_INDEX,
            KeyConditionExpression="sns_message_id = :id", ExpressionAttributeValues=serialize({":id": message_id}),
        )
        items = [deserialize(i) for i in response.get("Items", [])]
        return Notice.from_item(items[0]) if items else None

    def apply_all(self, receipts: Sequence[Receipt]) -> list[Applied]:
        """Each receipt applied, in order, their notices read together first; a repeat in the batch is a duplicate."""
        notices = self.find([r.message_id for r in receipts])
        applied: list[Applied] = []
        first: dict[str, Applied] = {}
        for r in receipts:
            if r.message_id in first:
                earlier = first[r.message_id]
                applied.append(replace(earlier, outcome=Outcome.DUPLICATE, number_marked=False)
                               if earlier.notice_id else earlier)
                continue
            applied.append(first.setdefault(r.message_id, self._decide(r, notices.get(r.message_id))))
        return applied

    def apply(self, receipt: Receipt) -> Applied:
        return self.apply_all([receipt])[0]

    def _decide(self, receipt: Receipt, notice: Notice | None) -> Applied:
        if notice is None:
            return Applied(Outcome.UNKNOWN_MESSAGE)
        about: dict[str, Any] = {"notice_id": notice.notice_id, "program": notice.program, "stage": notice.stage,
                 "carrier_class": receipt.carrier_class}
        if not same_number(receipt, notice):
            return Applied(Outcome.WRONG_NUMBER, **about)
        if notice.status is not Status.SENT or notice.sns_message_id != receipt.message_id:
            return Applied(Outcome.DUPLICATE, **about)
        if receipt.delivered:
            won = self.notices.record_receipt(notice, receipt.message_id, Status.DELIVERED, receipt.answered_at,
                                              price_usd=receipt.price_usd)
            return Applied(Outcome.DELIVERED if won else Outcome.DUPLICATE, **about)
        reason = receipt.provider_response[:500]
        retry = receipt.carrier_class is CarrierClass.TEMPORARY and self._may_retry(notice, receipt)
        if retry and self.notices.plan_retry(notice, receipt.message_id, self.retry_at(receipt), reason,
                                             receipt.price_usd):
            return Applied(Outcome.RETRY_PLANNED, **about)
        marked = receipt.carrier_class is CarrierClass.PERMANENT and self.mark_unreachable(notice, receipt)
        won = self.notices.record_receipt(notice, receipt.message_id, Status.CARRIER_FAILED, receipt.answered_at,
                                          price_usd=receipt.price_usd, reason=reason,
                                          carrier_class=str(receipt.carrier_class))
        return Applied(Outcome.CARRIER_FAILED if won else Outcome.DUPLICATE, number_marked=marked, **about)

    def retry_at(self, receipt: Receipt) -> datetime:
        """The next local day at the retry hour, after the carrier's answer."""
        tomorrow = receipt.answered_at.astimezone(self.timezone).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(self.retry_hour), self.timezone)

    def _may_retry(self, notice: Notice, receipt: Receipt) -> bool:
        return notice.carrier_retries is None and self.retry_at(receipt).date() <= notice.ends

    def mark_unreachable(self, notice: Notice, receipt: Receipt) -> bool:
        """Put the notice's number on the UNREACHABLE list (the first failure's reason and time are kept).

        Before the notice's own update: a crash in between leaves the notice ``sent``, and the retried
        batch marks (already there) and records it again.
        """
        e164 = notice.phone
        if not e164:
            return False
        item = {"pk": unreachable_pk(e164), "type": "unreachable", "e164": e164, "nik": notice.nik,
                "reason": receipt.provider_response[:500], "added_at": iso(receipt.answered_at),
                "notice_id": notice.notice_id}
        dynamo.put_new(self.dynamodb, self.notices_table, item)  # False: marked already, which is as good
        return True
