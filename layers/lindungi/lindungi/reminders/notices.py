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

Life of a notice (``status``)::

    planned --claim--> sending --publish, record--> sent
       |                  |
       |                  +-- SNS error: back to planned (attempts+1), retried by SQS;
       |                  |   on the queue's last receive: failed (error), then the DLQ
       |                  +-- found still "sending" after the lease: failed (outcome_unknown)
       +-- no_phone | not_mobile | opted_out | superseded | expired   (no SNS call)
       +-- number_failed: the number is on the UNREACHABLE list      (no SNS call)

    sent --carrier's receipt--> delivered | carrier_failed
       +-- temporary failure, first time, cover not ended: planned again (outbox, next day 08:00 WIB)

Ordering, and why nothing is sent twice:

1. The planner writes the notice (``PutItem``, condition: it does not exist);
   only then does it put the notice id on the queue. Two planners at once:
   one put wins, the other plans and enqueues nothing. The notice stays in
   ``Outbox`` until the sender acts on it (its claim or outcome removes
   ``outbox``); a crash before the message is sent leaves it there, and the
   next run re-enqueues it (the sender drops duplicates).
2. The sender acts on the notice item, never on the message: a terminal
   status means a duplicate delivery, which is acknowledged and dropped.
3. Checks that send nothing (phone, opt-out lists, a later cover, cover
   ended) go straight from planned to their outcome, conditionally.
4. Before publishing, the sender *claims* the notice (planned -> sending, a
   fresh ``claim_id``, ``claimed_at``), conditionally: of two deliveries at
   once, one claims, the other retries later and then finds a terminal status.
5. Publish, then record ``sent`` with the SNS message id (condition: our claim;
   in a batch, the batch's records are one ``BatchWriteItem`` of the items as
   our claim left them, see ``Sender.flush``).
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

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

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


def sms_pointer(message_id: str, notice: Mapping[str, Any]) -> dict[str, Any]:
    """The item that leads a receipt for ``message_id`` to ``notice``; erased with the notice (same TTL)."""
    item = {"pk": SMS_PREFIX + message_id, "type": "sms", "notice_id": notice["notice_id"]}
    if "expires_at" in notice:
        item["expires_at"] = notice["expires_at"]
    return item


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


def new_notice(coverage: Mapping[str, Any], stage: int, today: date, now: datetime) -> dict[str, Any]:
    """The notice item the planner writes for ``coverage`` (a WorkersTable item) at ``stage``."""
    end = date.fromisoformat(coverage["coverage_end"])
    ident = notice_id(coverage["nik"], coverage["program"], coverage["coverage_start"], stage)
    return {
        "pk": notice_pk(ident),
        "type": "notice",
        "notice_id": ident,
        "nik": coverage["nik"],
        "name": coverage["name"],
        "program": coverage["program"],
        "coverage_start": coverage["coverage_start"],
        "coverage_end": coverage["coverage_end"],
        "coverage_sk": coverage["sk"],
        "stage": stage,
        "days_left": (end - today).days,
        "planned_for": today.isoformat(),
        "planned_at": iso(now),
        "status": Status.PLANNED.value,
        "attempts": 0,
        "outbox": OUTBOX_PENDING,
        "expires_at": int(datetime.combine(end + RETENTION, datetime.min.time(), UTC).timestamp()),
    }


def message_body(notice: str) -> str:
    """The SQS message: only the notice id; the notice item holds everything else."""
    return json.dumps({"notice_id": notice})


def parse_body(body: str) -> str:
    return str(json.loads(body)["notice_id"])
