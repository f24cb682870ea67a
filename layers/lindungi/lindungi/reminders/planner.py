"""The daily planner: which coverages owe which reminder today, each planned once and queued.

Reading only what may go. Every coverage owed a reminder sits in the sparse index ``ByEndDate`` under
``remind_key = "<program>#<stage>"`` (the largest stage at ingestion, see ``store``), and intake names every
such partition it wrote in one item (``workers.PARTITIONS_KEY``). The planner reads that item (one
``GetItem``), then each partition it names, in pages (a boto3 paginator)::

    remind_key = "<program>#<s>" AND coverage_end BETWEEN today AND today + horizon

(the program's widest window: a cover stored under an earlier first stage may owe any stage). A table
without that item is read the old way, every stage's partition up to its own window.

so a cover that has ended is never read (lower bound today), nor one whose windows are all ahead.
Each cover read owes the stage whose window holds its days left (``schedule.Stages.owed``); one
``BatchGetItem`` per 100 covers tells which of those notices exist already (planned on an earlier run):
they are dropped, the rest is what is due.

What goes today. ``schedule.choose``: every notice whose own day has come, plus whatever the look-ahead
says a peak needs to start early, earliest deadline first, at most the ceiling less what the outbox
requeued. The rest stays due and is read again on the next run.

Once, even twice at once. The notice id is deterministic (cover + stage), and planning it is one
``PutItem`` on condition it does not exist: whoever plans the same stage second (another planner, a
retried run, a list uploaded again) plans nothing. The coverage item itself is not written; the
existence check is what keeps a planned stage from being read as due again. The queue message goes
out after the put; a crash in between leaves the notice in the ``Outbox`` index (its ``outbox`` is
removed by the sender when it acts on the notice), and every run first re-enqueues notices that have
been there longer than a grace period (the sender drops duplicates), each taken by a conditional mark
first (``requeued_at``), so two copies of the run at once requeue it once. Notices the receipts function
puts back for one carrier retry (``status=planned``, ``outbox=pending``, ``planned_at`` = the next
08:00 WIB) are requeued the same way, counted against the run's ceiling.

Limits. Nothing is planned outside the send window (08:00-20:00 WIB). A run that comes near its
function's timeout stops between pages and puts a continuation message (run time, part, what it
queued) on ``PlannerContinuationQueue``; the planner function, subscribed to it, carries on where it
stopped, with what is left of the ceiling.

Sealed. A queue body carries the notice id encrypted (``reminders.sealed``): each run (each part) asks KMS
for one data key, the first time it queues, and seals every message with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from lindungi import dynamo
from lindungi.config import Programs
from lindungi.dynamo import deserialize, serialize
from lindungi.reminders.notices import (
    NOTICE_PREFIX,
    OUTBOX_INDEX,
    OUTBOX_PENDING,
    NoticeStore,
    iso,
    new_notice,
    notice_id,
    notice_pk,
)
from lindungi.reminders.schedule import Bucket, Stages, bucket, choose, edf
from lindungi.reminders.sealed import Sealer
from lindungi.reminders.window import Window
from lindungi.settings import PlannerSettings
from lindungi.workers import (
    END_DATE_INDEX,
    PARTITIONS_ATTRIBUTE,
    PARTITIONS_KEY,
    coverage_names,
    partitions_of,
    remind_key,
)

_T = TypeVar("_T")
CHUNK = 50
"""Notices planned, then queued, at a time: the unit a run stops between when its time runs out."""
EXISTING_BACKOFF = dynamo.Backoff(cap=1.0, attempts=6)
"""Tries of the existence check's unprocessed keys: few, since a key left unread only costs a losing put."""
FIELDS = ("pk", "sk", "name", "coverage_end")
"""What the planner reads of a coverage: what a notice needs, nothing more (``nik``, ``program`` and
``coverage_start`` are the key's, ``workers.coverage_names``)."""


def run_time(day: date, programs: Programs, hour: int = 9) -> datetime:
    """``day`` at ``hour``:00 local time (the schedule's 09:00 WIB), as an aware datetime."""
    return datetime.combine(day, datetime.min.time().replace(hour=hour), programs.timezone)


def event_time(event: Mapping[str, Any], default: datetime | None = None) -> datetime:
    """The moment a scheduled event stands for: its ``time`` field (EventBridge, Scheduler), else ``default``/now."""
    raw = event.get("time") if isinstance(event, Mapping) else None
    if raw:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    return default or datetime.now(UTC)


def stages_of(programs: Programs, program: str) -> Stages:
    p = programs.by_id[program]
    return Stages(p.reminder_days, p.reminder_windows)


@dataclass(frozen=True)
class Part:
    """Which part of a daily run this is: the first (from the schedule) or a continuation."""

    number: int = 0
    queued: int = 0
    """Messages the earlier parts of this run queued (they count against the ceiling)."""

    def to_message(self, now: datetime) -> str:
        return json.dumps({"time": iso(now), "part": self.number, "queued": self.queued})

    @staticmethod
    def from_message(body: str) -> tuple[datetime, Part]:
        raw = json.loads(body)
        return event_time(raw), Part(int(raw["part"]), int(raw["queued"]))


@dataclass
class PlanReport:
    run_at: str
    today: str
    in_window: bool = True
    part: int = 0
    planned: int = 0
    """Notices created by this run."""
    already_planned: int = 0
    """Due notices another planner (or an earlier try of this run) created between the read and the put."""
    early: int = 0
    """Notices planned before their stage's own day, because the look-ahead found a peak."""
    due: int = 0
    """Notices owed and not yet planned when the run read them (the schedule's input)."""
    requeued: int = 0
    """Notices from the outbox put on the queue again."""
    enqueued: int = 0
    enqueue_failed: int = 0
    items_read: int = 0
    """DynamoDB items read (queries' ScannedCount): coverages and outbox entries."""
    ceiling_reached: bool = False
    continued: bool = False
    """The run stopped near its timeout and handed the rest to a continuation."""
    by_stage: dict[str, int] = field(default_factory=dict)
    by_program: dict[str, int] = field(default_factory=dict)
    """Notices created by this run, per program (the metrics' program dimension)."""
    notice_ids: list[str] = field(default_factory=list, repr=False)

    @property
    def reads_per_notice(self) -> float:
        return self.items_read / self.planned if self.planned else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("notice_ids")
        return data


@dataclass
class Due:
    """The due notices of one bucket (program, stage, end date) and the coverages they are for."""

    bucket: Bucket
    coverages: list[dict[str, Any]]


class Planner:
    def __init__(self, dynamodb: Any, sqs: Any, kms: Any, settings: PlannerSettings, programs: Programs) -> None:
        self.dynamodb = dynamodb
        self.sqs = sqs
        self.kms = kms
        self.sealer = Sealer(kms, settings.queue_key)
        """Seals the queue's bodies; a fresh one (one data key, one ``GenerateDataKey``) each run."""
        self.settings = settings
        self.programs = programs
        self.notices = NoticeStore(dynamodb, settings.notices_table)
        reminders = programs.reminders
        self.window = Window(programs.timezone, reminders.send_from_hour, reminders.send_until_hour)

    def run(self, now: datetime, part: Part = Part(), time_left: Callable[[], float] | None = None) -> PlanReport:
        """One daily run (or a part of it) for ``now``: re-enqueue the outbox, then plan and queue what goes today.

        ``time_left``: seconds before the function times out (Lambda's context); near it the run hands over.
        """
        today = now.astimezone(self.programs.timezone).date()
        report = PlanReport(run_at=iso(now), today=today.isoformat(), part=part.number)
        self.sealer = Sealer(self.kms, self.settings.queue_key)
        if not self.window.is_open(now):
            report.in_window = False
            return report
        if part.number == 0:
            self.requeue_outbox(now, report)
            self._count_against_the_day(today, report.requeued)
        used = max(self._used_today(today), part.queued + report.requeued)
        budget = self.settings.max_per_run - used
        due = self.find_due(today, report)
        taken = choose([d.bucket for d in due.values()], today, budget, self.settings.max_per_run,
                       self.programs.reminders.missed_runs_tolerated)
        for chunk in self._chunks(due, taken):
            if time_left is not None and time_left() < self.settings.reserve.total_seconds():
                self._continue(now, Part(part.number + 1, part.queued + report.requeued + report.enqueued), report)
                return report
            granted = self._reserve(today, len(chunk))
            if granted < len(chunk):
                report.ceiling_reached = True  # another part of today's run (a twin, a retry) took the rest
            planned = self.plan(chunk[:granted], today, now, report)
            self._count_against_the_day(today, len(planned) - granted)  # created by a twin: its reservation
            self.enqueue(planned, report)
            if granted < len(chunk):
                return report
        report.ceiling_reached = report.ceiling_reached or (sum(taken.values()) >= budget and report.due > budget)
        return report

    # -- the day's ledger: the ceiling held across parts, twins and retries ----------------------
    # Each chunk reserves its notices on one item per day (``RUN#<date>``, ADD under a condition) before it
    # plans them: a continuation delivered twice, or a part that failed after queueing and was delivered
    # again, plans only what the ledger has left, never the ceiling less what its own message says was queued.
    def _ledger_key(self, today: date) -> dict[str, Any]:
        return serialize({"pk": f"{RUN_PREFIX}{today.isoformat()}"})

    def _used_today(self, today: date) -> int:
        item = self.dynamodb.get_item(TableName=self.settings.notices_table, Key=self._ledger_key(today),
                                      ConsistentRead=True).get("Item")
        return int(deserialize(item).get("queued", 0)) if item else 0

    def _count_against_the_day(self, today: date, count: int) -> None:
        if count:
            self.dynamodb.update_item(
                TableName=self.settings.notices_table, Key=self._ledger_key(today),
                UpdateExpression="ADD queued :n SET expires_at = if_not_exists(expires_at, :expires)",
                ExpressionAttributeValues=serialize({":n": count, ":expires": _ledger_expiry(today)}))

    def _reserve(self, today: date, wanted: int) -> int:
        """Up to ``wanted`` of what is left of the day's ceiling, taken atomically; how many were taken."""
        ceiling = self.settings.max_per_run
        wanted = min(wanted, ceiling)
        while wanted > 0:
            try:
                self.dynamodb.update_item(
                    TableName=self.settings.notices_table, Key=self._ledger_key(today),
                    UpdateExpression="ADD queued :n SET expires_at = if_not_exists(expires_at, :expires)",
                    ConditionExpression="attribute_not_exists(queued) OR queued <= :room",
                    ExpressionAttributeValues=serialize({":n": wanted, ":room": ceiling - wanted,
                                                         ":expires": _ledger_expiry(today)}))
                return wanted
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
            wanted = min(wanted - 1, ceiling - self._used_today(today))
        return 0

    def preview(self, now: datetime) -> PlanReport:
        """What ``run`` would plan at ``now``, by stage, writing and queueing nothing (reads only)."""
        today = now.astimezone(self.programs.timezone).date()
        report = PlanReport(run_at=iso(now), today=today.isoformat(), in_window=self.window.is_open(now))
        due = self.find_due(today, report)
        taken = choose([d.bucket for d in due.values()], today, self.settings.max_per_run,
                       self.settings.max_per_run, self.programs.reminders.missed_runs_tolerated)
        for b, n in taken.items():
            self._count(report, b, n)
        return report

    # -- reading -----------------------------------------------------------------------------
    def _pages(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        yield from self.dynamodb.get_paginator("query").paginate(**kwargs)

    def find_due(self, today: date, report: PlanReport) -> dict[tuple[str, ...], Due]:
        """The notices owed today and not yet planned, by bucket (program, stage, end date)."""
        owed: dict[tuple[str, ...], Due] = {}
        stored = self._stored_partitions()
        for program in self.programs.by_id.values():
            stages = stages_of(self.programs, program.id)
            for partition, days in self._partitions(program.id, stages, stored):
                for cov in self._read(today, program.id, partition, days, report):
                    end = date.fromisoformat(cov["coverage_end"])
                    b = bucket((program.id, "", cov["coverage_end"]), stages, end, today, 0)
                    if b is None:
                        continue
                    key: tuple[str, ...] = (program.id, str(b.stage), cov["coverage_end"])
                    entry = owed.setdefault(key, Due(Bucket(key, b.stage, end, 0, b.last, b.day), []))
                    entry.coverages.append(cov)
        exists = self._existing([self._id(cov, d.bucket.stage) for d in owed.values() for cov in d.coverages])
        due: dict[tuple[str, ...], Due] = {}
        for key, d in owed.items():
            left = [cov for cov in d.coverages if self._id(cov, d.bucket.stage) not in exists]
            if left:
                due[key] = Due(Bucket(key, d.bucket.stage, d.bucket.end, len(left), d.bucket.last, d.bucket.day), left)
        report.due = sum(len(d.coverages) for d in due.values())
        return due

    def _stored_partitions(self) -> frozenset[str] | None:
        """Every ``remind_key`` intake stored covers under (``workers.PARTITIONS_KEY``: one ``GetItem``); None
        for a table without that item (covers written before intake recorded them, or by hand)."""
        item = self.dynamodb.get_item(TableName=self.settings.workers_table, Key=serialize(PARTITIONS_KEY),
                                      ConsistentRead=True).get("Item")
        return None if item is None else frozenset(deserialize(item).get(PARTITIONS_ATTRIBUTE) or ())

    @staticmethod
    def _partitions(program: str, stages: Stages, stored: frozenset[str] | None) -> list[tuple[int, int]]:
        """The ``ByEndDate`` partitions of ``program`` to read and how many days ahead of today: those intake
        stored covers under, each to the program's horizon (a cover stored under an earlier first stage may
        owe any stage); none when its reminders are off. Without the record, every stage's own partition up
        to its own window (the reading of covers stored before intake recorded its partitions)."""
        if not stages.days:
            return []
        if stored is None:
            return [(s, stages.opens(s)) for s in stages.days]
        return [(p, stages.horizon) for p in partitions_of(program, stored)]

    def _read(self, today: date, program: str, partition: int, days: int,
              report: PlanReport) -> Iterator[dict[str, Any]]:
        names = {f"#{f}": f for f in FIELDS}
        values = {":k": remind_key(program, partition), ":lo": today.isoformat(),
                  ":hi": (today + timedelta(days=days)).isoformat()}
        for page in self._pages(
            TableName=self.settings.workers_table, IndexName=END_DATE_INDEX,
            KeyConditionExpression="remind_key = :k AND coverage_end BETWEEN :lo AND :hi",
            ExpressionAttributeValues=serialize(values), ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,
        ):
            report.items_read += int(page.get("ScannedCount", page.get("Count", 0)))
            for raw in page.get("Items", []):
                cov = deserialize(raw)
                yield cov | coverage_names(cov["pk"], cov["sk"])

    @staticmethod
    def _id(coverage: Mapping[str, Any], stage: int) -> str:
        return notice_id(coverage["nik"], coverage["program"], coverage["coverage_start"], stage)

    def _existing(self, ids: Sequence[str]) -> set[str]:
        """Which of these notices exist, by ``BatchGetItem`` (100 keys a request, eventually consistent).

        Keys DynamoDB still leaves unprocessed after the retries count as due: the conditional put settles them."""
        table = self.settings.notices_table
        got = dynamo.batch_get(self.dynamodb, {table: [{"pk": notice_pk(i)} for i in ids]}, fields={table: ["pk"]},
                               consistent=False, backoff=EXISTING_BACKOFF, strict=False)
        return {str(item["pk"]).removeprefix(NOTICE_PREFIX) for item in got[table]}

    # -- planning ------------------------------------------------------------------------------
    @staticmethod
    def _chunks(due: Mapping[tuple[str, ...], Due],
                taken: Mapping[Bucket, int]) -> Iterator[list[tuple[Bucket, dict[str, Any]]]]:
        chosen = [(b, cov) for b in edf(taken) for cov in due[b.key].coverages[: taken[b]]]
        for start in range(0, len(chosen), CHUNK):
            yield chosen[start : start + CHUNK]

    def _map(self, work: Callable[[Any], _T], items: Sequence[Any]) -> list[_T]:
        if self.settings.threads <= 1 or len(items) <= 1:
            return [work(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.settings.threads) as pool:
            return list(pool.map(work, items))

    def plan_one(self, coverage: Mapping[str, Any], stage: int, today: date, now: datetime) -> bool:
        """Create the notice unless it exists; True if this call created it."""
        return self.notices.plan(new_notice(coverage, stage, today, now)) is not None

    def plan(self, chunk: Sequence[tuple[Bucket, dict[str, Any]]], today: date, now: datetime,
             report: PlanReport) -> list[str]:
        """Plan a chunk of due notices; the ids of those this run created."""
        results = self._map(lambda pair: self.plan_one(pair[1], pair[0].stage, today, now), chunk)
        planned = []
        for (b, cov), created in zip(chunk, results, strict=True):
            if not created:
                report.already_planned += 1
                continue
            self._count(report, b, 1)
            report.early += b.day > today
            planned.append(self._id(cov, b.stage))
        return planned

    @staticmethod
    def _count(report: PlanReport, b: Bucket, n: int) -> None:
        report.planned += n
        report.by_stage[str(b.stage)] = report.by_stage.get(str(b.stage), 0) + n
        report.by_program[b.key[0]] = report.by_program.get(b.key[0], 0) + n

    def _continue(self, now: datetime, part: Part, report: PlanReport) -> None:
        if not self.settings.continuation_queue_url:
            raise TimeoutError("planner near its timeout and no continuation queue configured")
        self.sqs.send_message(QueueUrl=self.settings.continuation_queue_url, MessageBody=part.to_message(now))
        report.continued = True

    # -- queueing ------------------------------------------------------------------------------
    def enqueue(self, notice_ids: Sequence[str], report: PlanReport) -> None:
        """SendMessageBatch by tens, each body the notice id sealed (``reminders.sealed``). The sender takes each
        notice out of the outbox when it acts on it."""
        for start in range(0, len(notice_ids), 10):
            chunk = notice_ids[start : start + 10]
            entries = [{"Id": str(i), "MessageBody": self.sealer.seal(n)} for i, n in enumerate(chunk)]
            response = self.sqs.send_message_batch(QueueUrl=self.settings.queue_url, Entries=entries)
            ok = {int(e["Id"]) for e in response.get("Successful", [])}
            report.notice_ids += [n for i, n in enumerate(chunk) if i in ok]
            report.enqueued += len(ok)
            report.enqueue_failed += len(chunk) - len(ok)  # still in the outbox: the next run sends them

    def requeue_outbox(self, now: datetime, report: PlanReport) -> None:
        """Notices planned more than the grace period ago and not yet acted on: queue them again, each one this
        run takes (``NoticeStore.take_to_requeue``: a conditional update a requeued notice), so that a copy of
        this run at the same time, or a run within the grace period, does not queue it a second time."""
        stale_before = now - self.settings.outbox_grace
        cutoff = iso(stale_before)
        stale: list[str] = []
        pages = self._pages(
            TableName=self.settings.notices_table, IndexName=OUTBOX_INDEX,
            KeyConditionExpression="outbox = :pending AND planned_at <= :cutoff",
            ExpressionAttributeValues=serialize({":pending": OUTBOX_PENDING, ":cutoff": cutoff}),
            PaginationConfig={"MaxItems": self.settings.max_per_run},
        )
        for page in pages:
            report.items_read += int(page.get("ScannedCount", page.get("Count", 0)))
            stale += [deserialize(i)["pk"].removeprefix(NOTICE_PREFIX) for i in page.get("Items", [])]
        stale = stale[: self.settings.max_per_run]
        taken = self._map(lambda notice: self.notices.take_to_requeue(notice, now, stale_before), stale)
        mine = [notice for notice, won in zip(stale, taken, strict=True) if won]
        if mine:
            before = report.enqueued
            self.enqueue(mine, report)
            report.requeued = report.enqueued - before


RUN_PREFIX = "RUN#"
"""The day's ledger item in NoticesTable: ``RUN#<local date>``, ``queued`` = notices the day's run reserved."""
LEDGER_DAYS = 40


def _ledger_expiry(today: date) -> int:
    """The ledger's TTL (``expires_at``, epoch seconds): gone some weeks after its day."""
    return int(datetime.combine(today + timedelta(days=LEDGER_DAYS), datetime.min.time(), UTC).timestamp())


def summary(report: PlanReport) -> str:
    return json.dumps(report.to_dict(), sort_keys=True)

