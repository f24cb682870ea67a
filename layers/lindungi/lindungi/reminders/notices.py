"""Reminder notices: one item per (coverage, stage), and the sender that turns it into at most one SMS.

Key design (table ``NoticesTable``, hash key ``pk`` only)::

    pk = "NOTICE#<nik>#<program>#<TMT>#<stage>"   one notice: what is owed, then what happened
    pk = "OPTOUT#<e164>"                          a number staff were asked not to text
    pk = "UNREACHABLE#<e164>"                     a number the carrier reported dead (permanent failure)
    pk = "SMS#<sns message id>"                   which notice SNS sent as that message (``sms_pointer``)

The notice id is deterministic, so the same stage of the same cover is the
same item whoever plans it and however often. The sparse index ``Outbox``
(``outbox`` = "pending", ``planned_at``) holds notices planned but not yet
known to be on the queue. The carrier's receipt names only the SNS message id:
the sender writes an ``SMS#<message id>`` pointer to the notice in the same
``BatchWriteItem`` as the ``sent`` record, so receipts find their notices by
``BatchGetItem`` (consistent, a hundred a request); the sparse index
``ByMessageId`` (``sns_message_id``) is the fallback for a pointer that was not
written (``lindungi.reminders.receipts``).

Life of a notice (``status``). Each arrow is one ``NoticeStore`` method, one conditional write from the
status it starts at (and the claim or the message it names), answering the notice as it left it, or None
when it lost; ``tests/unit/test_notices.py`` walks every arrow from every status. The one write without a
condition is ``record_sent_all``, the batch form of ``record_sent`` (``BatchWriteItem`` has none; see there
why it needs none)::

    (none) --plan--> planned --claim--> sending --record_sent--> sent
                        |                  +--release--> planned: SNS error, attempts+1, retried by SQS
                        |                  +--finish--> failed: SNS refused it, or the queue's last receive
                        |                  |            (then the DLQ); or found still "sending" after the
                        |                  |            lease (``outcome_unknown``)
                        +--finish--> no_phone | not_mobile | opted_out | superseded | expired
                                     | number_failed (the number is on the UNREACHABLE list); no SNS call

    failed (outcome_unknown) --record_sent--> sent      the claimant was slow, not dead

    sent --record_receipt--> delivered | carrier_failed
       +--plan_retry--> planned: a temporary failure, the first, the cover not ended
                        (in the outbox for the next day's 08:00 WIB)

Ordering, and why nothing is sent twice:

1. The planner writes the notice (``PutItem``, condition: it does not exist);
   only then does it put the notice id on the queue, sealed (``reminders.sealed``: no NIK in clear on
   the queue or its DLQ). Two planners at once:
   one put wins, the other plans and enqueues nothing. The notice stays in
   ``Outbox`` until the sender acts on it (its claim or outcome removes
   ``outbox``); a crash before the message is sent leaves it there, and the
   next run re-enqueues it (the sender drops duplicates), each notice by the one run whose conditional
   ``requeued_at`` mark wins (``take_to_requeue``): two copies of a run at once requeue it once.
2. The sender acts on the notice item, never on the message: a terminal
   status means a duplicate delivery, which is acknowledged and dropped.
3. Checks that send nothing (phone, opt-out lists, a later cover, cover
   ended) go straight from planned to their outcome, conditionally.
4. Before publishing, the sender *claims* the notice (planned -> sending, a
   fresh ``claim_id``, ``claimed_at``), conditionally: of two deliveries at
   once, one claims, the other retries later and then finds a terminal status.
5. Publish, then record ``sent`` with the SNS message id (condition: our claim;
   in a batch, the batch's records are one ``BatchWriteItem`` of the items as
   our claim left them, see ``NoticeStore.record_sent_all``).
6. A crash between 5's publish and its record leaves "sending". After the
   lease (longer than a sender can run, shorter than the queue's visibility
   timeout) a redelivery cannot know whether the SMS went out; SNS has no
   idempotency key for SMS. At-most-once wins: the notice is recorded
   ``failed`` with ``outcome_unknown`` and nothing is published again.

Only the window 08:00-20:00 WIB gates the SMS itself: outside it a delivery
is put back on the queue, invisible until the window opens (or, on its last
allowed receive, re-sent as a fresh message so waiting never exhausts the
retries). Logs carry notice ids with the NIK masked, never names or numbers.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lindungi import dynamo
from lindungi import nik as nik_
from lindungi.workers import coverage_sk, worker_pk

NOTICE_PREFIX = "NOTICE#"
OPTOUT_PREFIX = "OPTOUT#"
UNREACHABLE_PREFIX = "UNREACHABLE#"
SMS_PREFIX = "SMS#"
MESSAGE_INDEX = "ByMessageId"
OUTBOX_INDEX = "Outbox"
OUTBOX_PENDING = "pending"
OUTCOME_UNKNOWN = "outcome_unknown"
RETENTION = timedelta(days=400)
"""Notices are kept (TTL ``expires_at``) this long after the cover ended: a year of audit, then erased."""
POINTED_PER_WRITE = 12
"""Sent notices per ``BatchWriteItem``: each is two items (the notice, its SMS pointer) of the 25 allowed."""
SENT_BACKOFF = dynamo.Backoff(cap=1.0, attempts=8)


class Status(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    OPTED_OUT = "opted_out"
    NO_PHONE = "no_phone"
    NOT_MOBILE = "not_mobile"
    SUPERSEDED = "superseded"
    """The worker has a later cover of the same program that runs past this end: renewed or re-listed."""
    EXPIRED = "expired"
    """The cover ended before the notice could go out; a reminder after the end helps no one."""
    FAILED = "failed"
    DELIVERED = "delivered"
    """The carrier reported the SMS delivered (SNS delivery status SUCCESS)."""
    CARRIER_FAILED = "carrier_failed"
    """SNS published it, the carrier did not deliver it: ``carrier_reason`` and ``carrier_class`` say why."""
    NUMBER_FAILED = "number_failed"
    """Not sent: the number failed permanently before (``UNREACHABLE#<e164>``) and staff have no new one yet."""


TERMINAL = frozenset(Status) - {Status.PLANNED, Status.SENDING}


def notice_id(nik: str, program: str, coverage_start: str, stage: int) -> str:
    return f"{nik}#{program}#{coverage_start}#{stage}"


def notice_pk(notice: str) -> str:
    return NOTICE_PREFIX + notice


def optout_pk(e164: str) -> str:
    return OPTOUT_PREFIX + e164


def unreachable_pk(e164: str) -> str:
    return UNREACHABLE_PREFIX + e164


def coverage_key(notice: str) -> dict[str, str]:
    """The WorkersTable key of the coverage a notice id names (``<nik>#<program>#<TMT>#<stage>``)."""
    nik, program, start, _ = notice.split("#")
    return {"pk": worker_pk(nik), "sk": coverage_sk(program, start)}


def program_of(notice: str) -> str:
    """The program a notice id names (``<nik>#<program>#<TMT>#<stage>``)."""
    parts = notice.split("#")
    return parts[1] if len(parts) >= 4 else "unknown"


def mask_id(notice: str) -> str:
    """A notice id safe for logs: the NIK masked, the rest (program, TMT, stage) kept."""
    head, _, rest = notice.partition("#")
    return f"{nik_.mask(head)}#{rest}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Notice:
    """One notice item, typed: what is owed (the planner's), then what happened (the sender's, the carrier's).

    Who and which stage are the notice id's (``nik``, ``program``, ``coverage_start``, ``stage``); times are
    kept as the item stores them (ISO 8601, UTC, seconds). An attribute the item lacks is None, so is one a
    projected read did not ask for (receipts read ``receipts.INDEXED``). ``extra`` keeps the attributes this
    code does not know, so that writing a notice whole (the batch's ``sent`` records) never erases them."""

    notice_id: str
    status: Status
    coverage_end: str
    name: str | None = None
    coverage_sk: str | None = None
    days_left: int | None = None
    planned_for: str | None = None
    planned_at: str | None = None
    attempts: int | None = None
    outbox: str | None = None
    requeued_at: str | None = None
    """When a planner run last put the notice on the queue again from the outbox (``NoticeStore.take_to_requeue``)."""
    expires_at: int | None = None
    # -- the sender's claim and outcome
    claim_id: str | None = None
    claimed_at: str | None = None
    phone: str | None = None
    text: str | None = None
    last_error: str | None = None
    last_attempt_at: str | None = None
    outcome_at: str | None = None
    error: str | None = None
    opt_out: str | None = None
    sns_message_id: str | None = None
    segments: int | None = None
    # -- the carrier's receipt
    carrier_at: str | None = None
    price_usd: Decimal | None = None
    carrier_reason: str | None = None
    carrier_class: str | None = None
    carrier_retries: int | None = None
    retry_reason: str | None = None
    retry_price_usd: Decimal | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def pk(self) -> str:
        return notice_pk(self.notice_id)

    @property
    def nik(self) -> str:
        return self.notice_id.split("#")[0]

    @property
    def program(self) -> str:
        return program_of(self.notice_id)

    @property
    def coverage_start(self) -> str:
        return self.notice_id.split("#")[2]

    @property
    def stage(self) -> int:
        return int(self.notice_id.split("#")[3])

    @property
    def ends(self) -> date:
        return date.fromisoformat(self.coverage_end)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Notice:
        """The notice of a NoticesTable item (as ``dynamo.deserialize`` gives it, whole or projected)."""
        known: dict[str, Any] = {k: int(v) if k in _INTEGERS and v is not None else v
                                 for k, v in item.items() if k in _FIELDS}
        extra = {k: v for k, v in item.items() if k not in _FIELDS and k not in _DERIVED}
        return cls(**known | {"status": Status(item["status"]), "extra": extra})

    def to_item(self) -> dict[str, Any]:
        """The NoticesTable item: the identity attributes, every attribute that is not None, ``extra``."""
        item: dict[str, Any] = {"pk": self.pk, "type": "notice", "nik": self.nik, "program": self.program,
                                "coverage_start": self.coverage_start, "stage": self.stage}
        for name in _FIELDS:
            value = getattr(self, name)
            if value is not None:
                item[name] = value.value if isinstance(value, Status) else value
        return item | dict(self.extra)

    def changed(self, sets: Mapping[str, Any], remove: Iterable[str] = ()) -> Notice:
        """This notice with ``sets`` written and ``remove`` removed, as an update leaves the item."""
        gone = set(remove)
        return Notice.from_item({k: v for k, v in (self.to_item() | dict(sets)).items() if k not in gone})


_FIELDS = tuple(f.name for f in fields(Notice) if f.name != "extra")
_INTEGERS = frozenset({"days_left", "attempts", "expires_at", "segments", "carrier_retries"})
_DERIVED = frozenset({"pk", "type", "nik", "program", "coverage_start", "stage"})
"""Attributes the item holds for queries and people, and ``Notice`` derives from the notice id."""


def new_notice(coverage: Mapping[str, Any], stage: int, today: date, now: datetime) -> Notice:
    """The notice the planner writes for ``coverage`` (a WorkersTable item) at ``stage``."""
    end = date.fromisoformat(coverage["coverage_end"])
    return Notice(
        notice_id=notice_id(coverage["nik"], coverage["program"], coverage["coverage_start"], stage),
        status=Status.PLANNED,
        coverage_end=coverage["coverage_end"],
        name=coverage["name"],
        coverage_sk=coverage["sk"],
        days_left=(end - today).days,
        planned_for=today.isoformat(),
        planned_at=iso(now),
        attempts=0,
        outbox=OUTBOX_PENDING,
        expires_at=int(datetime.combine(end + RETENTION, datetime.min.time(), UTC).timestamp()),
    )


def sms_pointer(message_id: str, notice: Notice) -> dict[str, Any]:
    """The item that leads a receipt for ``message_id`` to ``notice``; erased with the notice (same TTL)."""
    item: dict[str, Any] = {"pk": SMS_PREFIX + message_id, "type": "sms", "notice_id": notice.notice_id}
    if notice.expires_at is not None:
        item["expires_at"] = notice.expires_at
    return item


def sent(claimed: Notice, now: datetime, message_id: str, segments: int) -> Notice:
    """The notice as its ``sent`` record leaves it: published as ``message_id``, the claim done with."""
    return claimed.changed(*_sent(now, message_id, segments))


def _sent(now: datetime, message_id: str, segments: int) -> tuple[dict[str, Any], tuple[str, ...]]:
    sets = {"status": Status.SENT.value, "outcome_at": iso(now), "sns_message_id": message_id, "segments": segments}
    return sets, ("claim_id", "error")


# The conditions of the transitions, each on the status a notice is moved from.
FROM_PLANNED = "#status = :planned"
UNDER_CLAIM = "#status = :sending AND #claim_id = :claim"
UNDER_CLAIM_OR_UNKNOWN = f"({UNDER_CLAIM}) OR (#status = :failed AND #error = :unknown)"
SENT_AS = "#status = :sent AND #sns_message_id = :message"
SENT_AS_NEVER_RETRIED = f"{SENT_AS} AND attribute_not_exists(#carrier_retries)"


class NoticeStore:
    """The transitions of the diagram above, on NoticesTable: each one conditional write from a named status.

    Each answers the notice as it left it when it won, None when it lost: the notice was no longer in the
    status (under the claim, sent as the message) the caller read it in, so another delivery, planner or
    receipt moved it first, and the caller acts on that (retry, or a duplicate)."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    def plan(self, notice: Notice) -> Notice | None:
        """(none) --plan--> planned: written only where no notice has its id."""
        return notice if dynamo.put_new(self.dynamodb, self.table, notice.to_item()) else None

    def take_to_requeue(self, notice: str, now: datetime, stale_before: datetime) -> bool:
        """Not an arrow of the diagram (the status stays): a planner run takes a notice it found in the outbox
        before it queues it again, ``requeued_at`` = now, on condition it is still in the outbox and no run took
        it since ``stale_before``. True if this run took it; False when another (a twin of this run, a run
        soon after) did, or the sender acted on it meanwhile."""
        return dynamo.update_if(
            self.dynamodb, self.table, {"pk": notice_pk(notice)}, sets={"requeued_at": iso(now)},
            condition="#outbox = :pending AND (attribute_not_exists(#requeued_at) OR #requeued_at <= :stale)",
            names={"#outbox": "outbox"}, values={":pending": OUTBOX_PENDING, ":stale": iso(stale_before)})

    def claim(self, notice: Notice, now: datetime, phone: str, text: str) -> Notice | None:
        """planned --claim--> sending, under a fresh claim id, with the number and text about to be sent."""
        sets = {"status": Status.SENDING.value, "claim_id": uuid.uuid4().hex, "claimed_at": iso(now),
                "phone": phone, "text": text}
        return self._move(notice, FROM_PLANNED, {":planned": Status.PLANNED.value}, sets, ("outbox",))

    def release(self, claimed: Notice, now: datetime, error: str) -> Notice | None:
        """sending (our claim) --release--> planned, after a failed publish, the attempt counted."""
        sets = {"status": Status.PLANNED.value, "attempts": (claimed.attempts or 0) + 1, "last_error": error,
                "last_attempt_at": iso(now)}
        return self._move(claimed, UNDER_CLAIM, _claim_values(claimed), sets, ("claim_id",))

    def finish(self, notice: Notice, status: Status, now: datetime, *, error: str | None = None,
               opt_out: str | None = None, attempts: int | None = None) -> Notice | None:
        """planned --finish--> a terminal status, nothing sent; or, for a notice read under a claim (ours, or
        one whose lease ran out), sending --finish--> failed."""
        if status not in TERMINAL:
            raise ValueError(f"finish records a terminal status, not {status}")
        details = {"error": error, "opt_out": opt_out, "attempts": attempts}
        sets = {"status": status.value, "outcome_at": iso(now)} | {k: v for k, v in details.items() if v is not None}
        if notice.claim_id is None:
            return self._move(notice, FROM_PLANNED, {":planned": Status.PLANNED.value}, sets, ("outbox",))
        return self._move(notice, UNDER_CLAIM, _claim_values(notice), sets, ("outbox", "claim_id"))

    def record_sent(self, claimed: Notice, now: datetime, message_id: str, segments: int) -> Notice | None:
        """sending (our claim) --record_sent--> sent as ``message_id``; or over the ``outcome_unknown`` a
        redelivery after the lease wrote meanwhile. Then the SMS pointer, on a best-effort basis: without it
        the receipt finds the notice through the ``ByMessageId`` index."""
        values = _claim_values(claimed) | {":failed": Status.FAILED.value, ":unknown": OUTCOME_UNKNOWN}
        moved = self._move(claimed, UNDER_CLAIM_OR_UNKNOWN, values, *_sent(now, message_id, segments))
        if moved is not None:
            with contextlib.suppress(ClientError, BotoCoreError):
                self.dynamodb.put_item(TableName=self.table, Item=dynamo.serialize(sms_pointer(message_id, moved)))
        return moved

    def record_sent_all(self, notices: Sequence[Notice]) -> list[str]:
        """sending (our claims) --record_sent--> sent, for a batch: each notice (``sent``) written whole with
        its SMS pointer, ``POINTED_PER_WRITE`` a ``BatchWriteItem``; the ids of those not recorded.

        Written without a condition (``BatchWriteItem`` has none): while we hold the claim nobody else writes
        the notice, except a redelivery after the lease recording ``outcome_unknown``, which ``sent`` rightly
        replaces (as ``record_sent`` does). A notice not recorded stays ``sending``: its message is to be
        reported failed, and the redelivery after the lease records ``outcome_unknown``; it is never
        published again. A pointer not written only costs its receipt the ``ByMessageId`` index query."""
        left: list[str] = []
        for start in range(0, len(notices), POINTED_PER_WRITE):
            chunk = notices[start : start + POINTED_PER_WRITE]
            items = [item for n in chunk for item in (n.to_item(), sms_pointer(str(n.sns_message_id), n))]
            try:
                dynamo.batch_write(self.dynamodb, self.table, items, backoff=SENT_BACKOFF)
            except dynamo.Unprocessed as error:
                left += [str(i["notice_id"]) for i in error.items if i.get("type") == "notice"]
            except (ClientError, BotoCoreError):
                left += [n.notice_id for n in chunk]
        return left

    def record_receipt(self, notice: Notice, message_id: str, status: Status, carrier_at: datetime, *,
                       price_usd: Decimal | None = None, reason: str | None = None,
                       carrier_class: str | None = None) -> Notice | None:
        """sent (as ``message_id``) --record_receipt--> delivered | carrier_failed."""
        if status not in (Status.DELIVERED, Status.CARRIER_FAILED):
            raise ValueError(f"a receipt records delivered or carrier_failed, not {status}")
        details = {"carrier_reason": reason, "carrier_class": carrier_class, "carrier_at": iso(carrier_at),
                   "price_usd": price_usd}
        sets = {"status": status.value} | {k: v for k, v in details.items() if v is not None}
        return self._move(notice, SENT_AS, _sent_values(message_id), sets)

    def plan_retry(self, notice: Notice, message_id: str, planned_at: datetime, reason: str,
                   price_usd: Decimal | None = None) -> Notice | None:
        """sent (as ``message_id``, never retried) --plan_retry--> planned, in the outbox from ``planned_at``."""
        sets: dict[str, Any] = {"status": Status.PLANNED.value, "outbox": OUTBOX_PENDING,
                                "planned_at": iso(planned_at), "carrier_retries": 1, "retry_reason": reason}
        if price_usd is not None:
            sets["retry_price_usd"] = price_usd
        return self._move(notice, SENT_AS_NEVER_RETRIED, _sent_values(message_id), sets)

    def _move(self, notice: Notice, condition: str, values: Mapping[str, Any], sets: Mapping[str, Any],
              remove: Sequence[str] = ()) -> Notice | None:
        names = {name: name[1:] for name in re.findall(r"#\w+", condition)}
        won = dynamo.update_if(self.dynamodb, self.table, {"pk": notice.pk}, condition=condition, sets=sets,
                               remove=remove, names=names, values=values)
        return notice.changed(sets, remove) if won else None


def _claim_values(claimed: Notice) -> dict[str, Any]:
    return {":sending": Status.SENDING.value, ":claim": claimed.claim_id}


def _sent_values(message_id: str) -> dict[str, Any]:
    return {":sent": Status.SENT.value, ":message": message_id}
