"""The reminder days of the local demo: travel to each day at 09:00 WIB, run the planner, drain the queue,
deliver the carrier's receipts.

moto runs as released: no part of it is patched here.

The planner is invoked as EventBridge Scheduler would (``scheduled_event_for``), the sender as the SQS
event source mapping would, while the planner queues (``Emulator.feeding``, then ``drain_queue`` for what
is left); the clock is moved with time-machine, so the
sender's own clock (the send window, leases) sees the simulated day too. Outcomes are read back from
NoticesTable, and the texts from moto, which records every SMS it was asked to publish.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import time_machine

from lindungi.config import programs
from lindungi.dynamo import deserialize
from lindungi.reminders.planner import run_time

from .emulator.server import Emulator
from .emulator.template import ACCOUNT, ROOT

EVENT = ROOT / "events" / "planner-schedule.json"


def scheduled_event_for(day: date, hour: int = 9, sample: Path = EVENT) -> dict[str, Any]:
    """The planner's scheduled event for ``day`` at ``hour``:00 WIB (the sample event with its ``time`` set)."""
    event: dict[str, Any] = json.loads(sample.read_text(encoding="utf-8"))
    event["time"] = run_time(day, programs(), hour).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


def published_sms(region: str) -> list[tuple[str, str]]:
    """(phone, text) of every SMS moto was asked to publish, in order (moto runs in this process)."""
    from moto.sns.models import sns_backends

    return list(sns_backends[ACCOUNT][region].sms_messages.values())


def notice_outcomes(emu: Emulator) -> Counter[tuple[str, str]]:
    """Notices by (stage, status). A Scan, acceptable for a local summary; the functions never scan."""
    counts: Counter[tuple[str, str]] = Counter()
    pages = emu.client("dynamodb").get_paginator("scan").paginate(
        TableName=emu.stack.physical("NoticesTable"), ProjectionExpression="pk, #s, stage",
        ExpressionAttributeNames={"#s": "status"})
    for page in pages:
        for raw in page.get("Items", []):
            item = deserialize(raw)
            if item["pk"].startswith("NOTICE#"):
                counts[(str(item["stage"]), item["status"])] += 1
    return counts


COLUMNS = {
    "sent": ("sent", "delivered", "carrier_failed"),
    "delivered": ("delivered",),
    "undelivered": ("carrier_failed",),
    "dead_number": ("number_failed",),
    "opted_out": ("opted_out",),
    "no_phone": ("no_phone", "not_mobile"),
    "expired": ("expired",),
    "other": ("superseded", "failed", "planned", "sending"),
}
"""The summary's columns per stage, from notice statuses (delivered / undelivered come from receipts): sent is
delivered + undelivered + still unanswered, and due is sent + every column after undelivered."""


def by_stage(outcomes: Counter[tuple[str, str]], due: Counter[str]) -> dict[str, dict[str, int]]:
    stages = sorted({s for s, _ in outcomes} | set(due), key=int, reverse=True)
    return {s: {"due": due.get(s, 0)} | {col: sum(outcomes.get((s, st), 0) for st in statuses)
                                        for col, statuses in COLUMNS.items()} for s in stages}


def planner_days(days: Sequence[date], planning: Mapping[date, int]) -> list[date]:
    """Of the window ``days``, those the demo runs the planner on: each day the schedule plans something
    (``schedule.planning_days``) and the day after it, when the receipts' carrier retries and whatever a
    run's ceiling left are requeued. On every other day a run would read the open windows and plan nothing."""
    window = set(days)
    return sorted(d for d in window if d in planning or d - timedelta(days=1) in planning)


def run_reminders(emu: Emulator, days: list[date], on_day: Callable[[dict[str, Any]], None] | None = None,
                  due: Counter[str] | None = None, planning: Mapping[date, int] | None = None) -> dict[str, Any]:
    """Each day in turn: the 09:00 WIB planner run, then every queued notice through the sender.

    ``planning``: the schedule's own days (day -> notices it plans); given, the planner runs on those days and
    the day after each (``planner_days``) instead of every day of ``days``, and on the day after any run that
    left work behind (ceiling reached, a send retried, a carrier retry planned, fewer planned than expected)."""
    window = sorted(set(days))
    todo = set(window if planning is None else planner_days(window, planning))
    before = len(published_sms(emu.stack.region))
    per_day = []
    for i, day in enumerate(window):
        if day not in todo:
            continue
        with time_machine.travel(run_time(day, programs()), tick=True):
            with emu.feeding("ReminderQueue") as drained:  # the sender runs while the planner queues
                report = emu.invoke("PlannerFunction", scheduled_event_for(day))
            for key, value in emu.drain_queue("ReminderQueue", "SenderFunction").items():
                drained[key] += value  # what was left on the queue (retries)
            receipts = emu.deliver_receipts()  # the carrier's answers, through ReceiptsFunction
        per_day.append({"day": day.isoformat(), "planned": report["planned"], "by_stage": report["by_stage"],
                        "ceiling_reached": report["ceiling_reached"], "retried": drained["failed"],
                        "receipts": receipts, "messages": drained["messages"]})
        left_behind = (report["ceiling_reached"] or report["enqueue_failed"] or drained["failed"]
                       or receipts.get("retry_planned", 0)
                       or (planning is not None and report["planned"] != planning.get(day, 0)))
        if left_behind and i + 1 < len(window):
            todo.add(window[i + 1])
        if on_day:
            on_day(per_day[-1])
    staged = notice_outcomes(emu)
    outcomes: Counter[str] = Counter()
    for (_, status), n in staged.items():
        outcomes[status] += n
    sms = published_sms(emu.stack.region)[before:]
    skipped = sum(n for status, n in outcomes.items() if status in {"no_phone", "not_mobile", "superseded", "expired"})
    return {
        "outcomes": dict(outcomes),
        "by_stage": by_stage(staged, due or Counter()),
        "sent": sum(outcomes.get(s, 0) for s in ("sent", "delivered", "carrier_failed")),  # an SMS went out
        "carrier_retried": sum(d["receipts"].get("retry_planned", 0) for d in per_day),
        "opted_out": outcomes.get("opted_out", 0),
        "skipped": skipped,
        "failed": outcomes.get("failed", 0),
        "sms_published": len(sms),
        "sample_texts": [text for _, text in sms[:: max(1, len(sms) // 3)]][:3],
        "per_day": per_day,
    }
