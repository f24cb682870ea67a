"""One worker's story: covers, contact, each reminder and the carrier's answer, opt-out and dead-number marks.

The answer to a complaint ("I never got an SMS", "I renewed and still get texts"), read the way the functions
read the same items, in two requests whatever the worker's history:

1. one ``Query`` on the worker's partition of ``WorkersTable`` (``pk = WORKER#<nik>``): every cover, each with
   the number and list it came from;
2. one ``BatchGetItem`` (100 keys a request) on ``NoticesTable``: every notice those covers can have
   (``NOTICE#<nik>#<program>#<TMT>#<stage>``, one per reminder stage of the program) and the ``OPTOUT#`` and
   ``UNREACHABLE#`` marks of every number the covers carry.

No Scan, no index. Renewal is decided as the sender and the rekap decide it (``lindungi.renewal``): a later
cover in any program starting within the window around this one's end. The contact is the worker's own item's
(``sk = WORKER``, in the same Query: the latest usable mobile any list gave, and the fallback of a cell with
two), else the number of the most recently listed cover. ``WorkerRecord`` is plain typed data: the CLI prints it and the
portal will render it; neither reads the tables itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from lindungi import dynamo, phone
from lindungi.config import Programs
from lindungi.reminders.notices import notice_id, notice_pk, optout_pk, unreachable_pk
from lindungi.renewal import Period
from lindungi.workers import WORKER_SK, worker_pk

NOTICE_FIELDS = ("notice_id", "stage", "status", "planned_for", "planned_at", "outcome_at", "attempts",
                 "sns_message_id", "segments", "carrier_at", "carrier_class", "carrier_reason", "carrier_retries",
                 "opt_out", "error", "last_error", "phone")
"""What a notice shows: its outcome and the carrier's answer, never its text."""


@dataclass(frozen=True)
class NoticeView:
    stage: int
    """Days before the cover's end the reminder is for (30, 7, 1...)."""
    status: str
    """``planned``, ``sent``, ``delivered``, ``carrier_failed``, ``expired``...: ``reminders.notices.Status``."""
    planned_for: str | None = None
    outcome_at: str | None = None
    attempts: int = 0
    sms_message_id: str | None = None
    carrier_at: str | None = None
    carrier_class: str | None = None
    carrier_reason: str | None = None
    carrier_retries: int = 0
    opt_out: str | None = None
    error: str | None = None
    phone: str | None = None
    """The number it went to (masked unless asked)."""


@dataclass(frozen=True)
class CoverView:
    program: str
    start: str
    end: str
    name: str | None
    phone: str | None
    """Masked unless asked."""
    sms_capable: bool
    listed_at: str | None
    source_key: str | None
    renewed_by: str | None
    """The TMT of the earliest cover that renews this one (``lindungi.renewal``, any program), as the sender
    and the rekap decide it."""
    notices: list[NoticeView] = field(default_factory=list)
    stages_not_planned: list[int] = field(default_factory=list)
    """Stages of the program with no notice (yet): not due yet, renewed, ended, or never planned."""


@dataclass(frozen=True)
class NumberView:
    phone: str
    """Masked unless asked."""
    opted_out: bool
    opt_out_reason: str | None
    unreachable: bool
    unreachable_reason: str | None
    unreachable_since: str | None


@dataclass(frozen=True)
class WorkerRecord:
    nik: str
    covers: list[CoverView]
    numbers: list[NumberView]
    """Every number the covers carry, with its opt-out and dead-number marks."""
    contact: str | None
    """The number reminders go to: the worker's item's latest usable mobile, else the number of the most
    recently listed cover that has one (masked unless asked)."""
    requests: int
    """DynamoDB requests the read took (one Query page per 1 MB, one BatchGetItem per 100 keys)."""
    fallback: str | None = None
    """The second number of the cell that gave the contact, texted when the contact is reported dead."""

    @property
    def found(self) -> bool:
        return bool(self.covers)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _shown(number: str | None, show_contact: bool) -> str | None:
    if not number:
        return None
    return number if show_contact else phone.mask(number)


def read_worker(dynamodb: Any, workers_table: str, notices_table: str, programs: Programs, nik: str, *,
                show_contact: bool = False) -> WorkerRecord:
    """Everything the tables say about the worker with this NIK (see the module docstring for the reads)."""
    requests = 0
    covers: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("query").paginate(
        TableName=workers_table, KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=dynamo.serialize({":pk": worker_pk(nik)}), ConsistentRead=True,
    ):
        requests += 1
        covers += [dynamo.deserialize(i) for i in page.get("Items", [])]
    own = next((c for c in covers if c.get("sk") == WORKER_SK), {})
    covers = sorted((c for c in covers if c.get("type", "coverage") == "coverage" and "coverage_start" in c),
                    key=lambda c: (str(c["coverage_start"]), str(c["program"])))
    stages = {c["program"]: programs.by_id[c["program"]].reminder_days if c["program"] in programs.by_id else ()
              for c in covers}
    ids = [notice_id(nik, c["program"], c["coverage_start"], s) for c in covers for s in stages[c["program"]]]
    numbers = sorted({str(c["phone"]) for c in covers if c.get("phone")}
                     | {str(own[f]) for f in ("phone", "phone_fallback") if own.get(f)})
    keys = [{"pk": notice_pk(i)} for i in ids] + [{"pk": k(n)} for n in numbers for k in (optout_pk, unreachable_pk)]
    stats = dynamo.GetStats()
    got = dynamo.batch_get(dynamodb, {notices_table: keys}, stats=stats) if keys else {notices_table: []}
    requests += stats.requests
    items = {str(i["pk"]): i for i in got[notices_table]}
    periods = [Period(str(c["program"]), date.fromisoformat(str(c["coverage_start"])),
                      date.fromisoformat(str(c["coverage_end"]))) for c in covers]
    views = []
    for c in covers:
        notices, missing = [], []
        for stage in stages[c["program"]]:
            n = items.get(notice_pk(notice_id(nik, c["program"], c["coverage_start"], stage)))
            if n is None:
                missing.append(stage)
                continue
            notices.append(NoticeView(
                stage=int(n.get("stage", stage)), status=str(n.get("status")), planned_for=n.get("planned_for"),
                outcome_at=n.get("outcome_at"), attempts=int(n.get("attempts", 0)),
                sms_message_id=n.get("sns_message_id"), carrier_at=n.get("carrier_at"),
                carrier_class=n.get("carrier_class"), carrier_reason=n.get("carrier_reason"),
                carrier_retries=int(n.get("carrier_retries", 0)), opt_out=n.get("opt_out"),
                error=n.get("error") or n.get("last_error"), phone=_shown(n.get("phone"), show_contact)))
        this = Period(str(c["program"]), date.fromisoformat(str(c["coverage_start"])),
                      date.fromisoformat(str(c["coverage_end"])))
        renewals = sorted(p.start for p in periods if programs.renewal.renews(this, p))
        views.append(CoverView(
            program=str(c["program"]), start=str(c["coverage_start"]), end=str(c["coverage_end"]),
            name=c.get("name"), phone=_shown(c.get("phone"), show_contact), sms_capable=bool(c.get("sms_capable")),
            listed_at=c.get("listed_at"), source_key=c.get("source_key"),
            renewed_by=renewals[0].isoformat() if renewals else None,
            notices=notices, stages_not_planned=missing))
    marks = []
    for number in numbers:
        optout, dead = items.get(optout_pk(number)), items.get(unreachable_pk(number))
        marks.append(NumberView(
            phone=_shown(number, show_contact) or "", opted_out=optout is not None,
            opt_out_reason=(optout or {}).get("reason"), unreachable=dead is not None,
            unreachable_reason=(dead or {}).get("reason"), unreachable_since=(dead or {}).get("added_at")))
    listed = sorted((c for c in covers if c.get("phone")), key=lambda c: str(c.get("listed_at") or ""))
    contact = _shown(own.get("phone") or (listed[-1]["phone"] if listed else None), show_contact)
    return WorkerRecord(nik=nik, covers=views, numbers=marks, contact=contact, requests=requests,
                        fallback=_shown(own.get("phone_fallback"), show_contact))


def text(record: WorkerRecord) -> str:
    """The record as an operator reads it in a terminal."""
    if not record.found:
        return f"NIK {record.nik}: no cover on any list."
    fallback = f" (fallback {record.fallback})" if record.fallback else ""
    lines = [f"NIK {record.nik}  contact {record.contact or '-'}{fallback}  ({record.requests} DynamoDB requests)"]
    for cover in record.covers:
        renewed = f"  renewed by the cover from {cover.renewed_by}" if cover.renewed_by else ""
        lines.append(f"- {cover.program} {cover.start} .. {cover.end}  {cover.name or ''}  phone "
                     f"{cover.phone or '-'}{'' if cover.sms_capable else ' (no SMS)'}  listed {cover.listed_at or '-'}"
                     f"{renewed}")
        for n in cover.notices:
            carrier = f"  carrier {n.carrier_class or ''} {n.carrier_reason or ''}".rstrip() if n.carrier_reason else ""
            extra = "".join(f"  {k} {v}" for k, v in (("sms", n.sms_message_id), ("opt-out", n.opt_out),
                                                       ("error", n.error), ("to", n.phone)) if v)
            lines.append(f"    stage {n.stage:>3}: {n.status:<14} planned {n.planned_for or '-'}  "
                         f"outcome {n.outcome_at or '-'}{extra}{carrier}")
        if cover.stages_not_planned:
            lines.append(f"    no notice (yet) for stage {', '.join(map(str, cover.stages_not_planned))}")
    for number in record.numbers:
        state = [s for s, on in (("opted out" + (f" ({number.opt_out_reason})" if number.opt_out_reason else ""),
                                  number.opted_out),
                                 (f"dead since {number.unreachable_since} ({number.unreachable_reason})",
                                  number.unreachable)) if on]
        lines.append(f"number {number.phone}: {'; '.join(state) or 'may be texted'}")
    return "\n".join(lines)

