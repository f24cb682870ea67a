"""The daily planner: which coverages owe which reminder today, each planned once and queued.

Reading only what is due. Every coverage owed a reminder sits in the sparse
index ``ByEndDate`` under ``remind_key = "<program>#<stage>"`` (set to the
largest stage at ingestion, see ``store``). For each program and stage ``s``
the planner queries::

    remind_key = "<program>#<s>" AND coverage_end BETWEEN today AND today + s

so a cover that has already ended is never even read (lower bound today), and
one not yet due is not read either (upper bound). Each item read is planned
and moved out of that partition in the same step, so across days an item is
read about once per stage: the reads per planned notice stay near 1.

Which stage. An item found under stage ``s`` is owed ``s``, or, when runs
were missed, something more urgent: the stage sent is the smallest configured
offset that is >= the days left (0 = ends today). A worker whose 30-day run
was missed and who has 5 days left gets the 7-day text, once, and the 30-day
one never.

Once, even twice at once. Planning one notice is one ``TransactWriteItems``:
move the coverage to the next smaller stage's partition (or drop
``remind_key`` after the last) on condition it is still at this stage, and
put the notice on condition it does not exist. A second planner reading the
same item loses the condition and plans nothing. A notice that exists already
(a list re-uploaded resets ``remind_key``) only advances the coverage. The
queue message goes out after the transaction; a crash in between leaves the
notice in the ``Outbox`` index, and every run first re-enqueues notices that
have been there longer than a grace period (the sender drops duplicates).

Limits. Nothing is planned outside the send window (08:00-20:00 WIB). A run
plans at most ``max_per_run`` messages, most urgent stage first; the rest is
still in its partition tomorrow and goes then (a 30-day notice has room to
slip, a 1-day notice goes on its end date at the latest).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from lindungi.config import Programs
from lindungi.reminders.notices import (
    OUTBOX_INDEX,
    OUTBOX_PENDING,
    deserialize,
    iso,
    message_body,
    new_notice,
    notice_pk,
    serialize,
)
from lindungi.reminders.window import Window
from lindungi.settings import PlannerSettings
from lindungi.workers import END_DATE_INDEX, remind_key

_T = TypeVar("_T")
PAGE = 250
"""Items read per query page: planned before the next page is read."""


def stage_for(stages: Sequence[int], days_left: int) -> int | None:
    """The reminder owed with ``days_left`` days to go: the smallest stage >= days_left; None if ended or not due."""
    if days_left < 0:
        return None
    owed = [s for s in stages if s >= days_left]
    return min(owed) if owed else None


def next_stage(stages: Sequence[int], stage: int) -> int | None:
    """The stage after ``stage`` (the next smaller offset), or None after the last."""
    later = [s for s in stages if s < stage]
    return max(later) if later else None


def run_time(day: date, programs: Programs, hour: int = 9) -> datetime:
    """``day`` at ``hour``:00 local time (the schedule's 09:00 WIB), as an aware datetime."""
    return datetime.combine(day, time(hour), programs.timezone)


def event_time(event: Mapping[str, Any], default: datetime | None = None) -> datetime:
    """The moment a scheduled event stands for: its ``time`` field (EventBridge, Scheduler), else ``default``/now."""
    raw = event.get("time") if isinstance(event, Mapping) else None
    if raw:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    return default or datetime.now(UTC)


@dataclass(frozen=True)
class Due:
    """A coverage found due: what it owes now and where it moves afterwards."""

    coverage: dict[str, Any]
    current_key: str
    stage: int
    next_key: str | None


@dataclass
class PlanReport:
    run_at: str
    today: str
    in_window: bool = True
    planned: int = 0
    """Notices created by this run."""
    already_planned: int = 0
    """Coverages whose notice existed already (list re-uploaded): advanced, nothing new planned."""
    lost_race: int = 0
    """Coverages another planner moved first."""
    requeued: int = 0
    """Notices from the outbox put on the queue again."""
    enqueued: int = 0
    enqueue_failed: int = 0
    items_read: int = 0
    """DynamoDB items read (queries' ScannedCount): coverages and outbox entries."""
    ceiling_reached: bool = False
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


class Planner:
    def __init__(self, dynamodb: Any, sqs: Any, settings: PlannerSettings, programs: Programs) -> None:
        self.dynamodb = dynamodb
        self.sqs = sqs
        self.settings = settings
        self.programs = programs
        reminders = programs.reminders
        self.window = Window(programs.timezone, reminders.send_from_hour, reminders.send_until_hour)

    def run(self, now: datetime) -> PlanReport:
        """One daily run for the moment ``now``: re-enqueue the outbox, then plan and queue what is due."""
        today = now.astimezone(self.programs.timezone).date()
        report = PlanReport(run_at=iso(now), today=today.isoformat())
        if not self.window.is_open(now):
            report.in_window = False
            return report
        self.requeue_outbox(now, report)
        budget = self.settings.max_per_run - report.requeued
        for due in self.find_due(today, report, lambda: budget - report.planned):
            self.enqueue(self.plan(due, today, now, report), report)
        if report.planned >= budget:
            report.ceiling_reached = True
        return report

    def preview(self, now: datetime) -> PlanReport:
        """What ``run`` would plan at ``now``, by stage, writing and queueing nothing (reads only)."""
        today = now.astimezone(self.programs.timezone).date()
        report = PlanReport(run_at=iso(now), today=today.isoformat(), in_window=self.window.is_open(now))
        for page in self.find_due(today, report):
            for due in page:
                report.by_stage[str(due.stage)] = report.by_stage.get(str(due.stage), 0) + 1
                program = due.current_key.split("#", 1)[0]
                report.by_program[program] = report.by_program.get(program, 0) + 1
        return report

    # -- reading -----------------------------------------------------------------------------
    def _partitions(self) -> list[tuple[str, int, tuple[int, ...]]]:
        """(program, stage, stages) to query, most urgent stage first across programs."""
        parts = [(p.id, s, p.reminder_days) for p in self.programs.by_id.values() for s in p.reminder_days]
        return sorted(parts, key=lambda part: (part[1], part[0]))

    def find_due(
        self, today: date, report: PlanReport, budget: Callable[[], int] | None = None
    ) -> Iterator[list[Due]]:
        """Pages of due coverages, read from ``ByEndDate`` only; ``budget()`` caps how many are read."""
        for program, stage, stages in self._partitions():
            key = remind_key(program, stage)
            kwargs: dict[str, Any] = {
                "TableName": self.settings.workers_table,
                "IndexName": END_DATE_INDEX,
                "KeyConditionExpression": "remind_key = :k AND coverage_end BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": serialize(
                    {":k": key, ":lo": today.isoformat(), ":hi": (today + timedelta(days=stage)).isoformat()}
                ),
            }
            while True:
                left = budget() if budget else PAGE
                if left <= 0:
                    return
                response = self.dynamodb.query(**kwargs, Limit=min(PAGE, left))
                report.items_read += int(response.get("ScannedCount", response.get("Count", 0)))
                page = []
                for raw in response.get("Items", []):
                    item = deserialize(raw)
                    days_left = (date.fromisoformat(item["coverage_end"]) - today).days
                    owed = stage_for(stages, days_left)
                    if owed is None:  # not possible within the key condition; kept as a guard
                        continue
                    following = next_stage(stages, owed)
                    page.append(Due(item, key, owed, remind_key(program, following) if following else None))
                if page:
                    yield page
                if "LastEvaluatedKey" not in response:
                    break
                kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # -- planning ------------------------------------------------------------------------------
    def _map(self, work: Callable[[Any], _T], items: Sequence[Any]) -> list[_T]:
        if self.settings.threads <= 1 or len(items) <= 1:
            return [work(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.settings.threads) as pool:
            return list(pool.map(work, items))

    def _advance(self, due: Due) -> dict[str, Any]:
        """The conditional update that moves a coverage to its next stage partition (or out of the index)."""
        coverage = due.coverage
        update: dict[str, Any] = {
            "TableName": self.settings.workers_table,
            "Key": serialize({"pk": coverage["pk"], "sk": coverage["sk"]}),
            "ConditionExpression": "remind_key = :current",
        }
        if due.next_key:
            update["UpdateExpression"] = "SET remind_key = :next"
            update["ExpressionAttributeValues"] = serialize({":current": due.current_key, ":next": due.next_key})
        else:
            update["UpdateExpression"] = "REMOVE remind_key"
            update["ExpressionAttributeValues"] = serialize({":current": due.current_key})
        return update

    def plan_one(self, due: Due, today: date, now: datetime) -> str:
        """Plan one notice: "planned", "already_planned" or "lost_race"."""
        notice = new_notice(due.coverage, due.stage, today, now)
        put = {"TableName": self.settings.notices_table, "Item": serialize(notice),
               "ConditionExpression": "attribute_not_exists(pk)"}
        for _ in range(3):
            try:
                self.dynamodb.transact_write_items(TransactItems=[{"Update": self._advance(due)}, {"Put": put}])
                return "planned"
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    return "lost_race"  # another planner moved this coverage first
                if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                    return self._advance_only(due)
                if "TransactionConflict" not in reasons:
                    raise
        return "lost_race"  # still contended: whoever holds it plans it, or tomorrow's run does

    def _advance_only(self, due: Due) -> str:
        try:
            self.dynamodb.update_item(**self._advance(due))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return "lost_race"
        return "already_planned"

    def plan(self, page: Sequence[Due], today: date, now: datetime, report: PlanReport) -> list[str]:
        """Plan a page of due coverages (transactions in parallel); the ids of notices this run created."""
        results = self._map(lambda due: self.plan_one(due, today, now), page)
        planned = []
        for due, result in zip(page, results, strict=True):
            if result == "planned":
                report.planned += 1
                report.by_stage[str(due.stage)] = report.by_stage.get(str(due.stage), 0) + 1
                program = due.current_key.split("#", 1)[0]
                report.by_program[program] = report.by_program.get(program, 0) + 1
                planned.append(new_notice(due.coverage, due.stage, today, now)["notice_id"])
            elif result == "already_planned":
                report.already_planned += 1
            else:
                report.lost_race += 1
        return planned

    # -- queueing ------------------------------------------------------------------------------
    def enqueue(self, notice_ids: Sequence[str], report: PlanReport) -> None:
        """SendMessageBatch by tens, then take the sent ones out of the outbox."""
        sent: list[str] = []
        for start in range(0, len(notice_ids), 10):
            chunk = notice_ids[start : start + 10]
            entries = [{"Id": str(i), "MessageBody": message_body(n)} for i, n in enumerate(chunk)]
            response = self.sqs.send_message_batch(QueueUrl=self.settings.queue_url, Entries=entries)
            ok = {int(e["Id"]) for e in response.get("Successful", [])}
            sent += [n for i, n in enumerate(chunk) if i in ok]
            report.enqueue_failed += len(chunk) - len(ok)  # still in the outbox: the next run sends them
        report.enqueued += len(sent)
        report.notice_ids += sent
        self._map(self._clear_outbox, sent)

    def _clear_outbox(self, notice: str) -> None:
        try:
            self.dynamodb.update_item(
                TableName=self.settings.notices_table,
                Key=serialize({"pk": notice_pk(notice)}),
                UpdateExpression="REMOVE outbox",
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def requeue_outbox(self, now: datetime, report: PlanReport) -> None:
        """Notices planned more than the grace period ago and never known to be queued: queue them again."""
        cutoff = iso(now - self.settings.outbox_grace)
        kwargs: dict[str, Any] = {
            "TableName": self.settings.notices_table,
            "IndexName": OUTBOX_INDEX,
            "KeyConditionExpression": "outbox = :pending AND planned_at <= :cutoff",
            "ExpressionAttributeValues": serialize({":pending": OUTBOX_PENDING, ":cutoff": cutoff}),
        }
        stale: list[str] = []
        while len(stale) < self.settings.max_per_run:
            response = self.dynamodb.query(**kwargs, Limit=min(PAGE, self.settings.max_per_run - len(stale)))
            report.items_read += int(response.get("ScannedCount", response.get("Count", 0)))
            stale += [deserialize(i)["pk"].removeprefix("NOTICE#") for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        if stale:
            before = report.enqueued
            self.enqueue(stale, report)
            report.requeued = report.enqueued - before


def summary(report: PlanReport) -> str:
    return json.dumps(report.to_dict(), sort_keys=True)
