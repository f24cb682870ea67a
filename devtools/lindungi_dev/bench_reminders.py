"""Reads per due notice: what the daily planner costs in DynamoDB reads, for the 8,504-worker sample.

moto (in-process) with the tables and queue of template.yaml; the sample workers are stored as ingestion
stores them (``store.coverage_item`` + ``store.write_items``); then the planner runs at 09:00 WIB on every
day from the first reminder to the last cover's end, with the template's ceiling. Items read are the
queries' ``ScannedCount`` (coverages from ``ByEndDate``, entries from the outbox); the target is <= 1.1,
i.e. the planner reads almost nothing it does not plan. ``python -m lindungi_dev.bench_reminders``.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3

from lindungi import dates, phone
from lindungi.config import programs
from lindungi.intake.readers.base import RowRef
from lindungi.intake.store import Source, coverage_item, write_items
from lindungi.reminders.planner import Planner, PlannerSettings, run_time
from lindungi.rows import Accepted

from . import samples
from .emulator import REGION, environment, provision
from .reminders_local import fast_moto


def sample_items(n_workers: int = 8504) -> list[dict[str, Any]]:
    """The sample lists (7,737 pekerja-rentan + 767 pekerja-sawit, scaled to ``n_workers``) as coverage items."""
    config = programs()
    sawit = round(n_workers * 767 / 8504)
    people = samples.workers(n_workers - sawit, "pekerja-rentan") + samples.workers(sawit, "pekerja-sawit", seed=2)
    source = Source(bucket="bench", key="incoming/bench.xlsx", version_id=None, sha256="0" * 64,
                    listed_at="2025-01-02T02:00:00+00:00")
    items = []
    for line, w in enumerate(people, start=2):
        start = dates.parse(w.tmt)
        assert start is not None
        contact = phone.normalize(w.phone)
        row = Accepted(row=RowRef(line=line), nik=w.nik, name=w.name, phone=contact.e164, program=w.program,
                       coverage_start=start, coverage_end=dates.coverage_end(start, config.by_id[w.program].months),
                       sms_capable=contact.sms_capable)
        items.append(coverage_item(row, source, config))
    return items


def reads_per_notice(n_workers: int = 8504) -> dict[str, Any]:
    """Run the planner over every reminder day of the sample; items read / notices planned."""
    from moto import mock_aws

    # In-process moto: no endpoint of a running emulator may redirect these clients.
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": None}
    with environment(env), mock_aws(), fast_moto():
        session = boto3.Session(region_name=REGION)
        stack = provision(session)
        dynamodb, sqs = session.client("dynamodb"), session.client("sqs")
        items = sample_items(n_workers)
        write_items(dynamodb, stack.physical("WorkersTable"), items, threads=1)
        settings = PlannerSettings.from_env(stack.function_env("PlannerFunction"))
        planner = Planner(dynamodb, sqs, settings, programs())
        ends = sorted({date.fromisoformat(i["coverage_end"]) for i in items})
        longest = max(max(p.reminder_days) for p in programs().by_id.values())
        day, last = ends[0] - timedelta(days=longest), ends[-1]
        totals = {"days": 0, "planned": 0, "items_read": 0, "ceiling_days": 0, "max_per_day": 0}
        started = time.perf_counter()
        queue = stack.physical("ReminderQueue")
        while day <= last:
            report = planner.run(run_time(day, programs()))
            if report.enqueued:
                # The sender is not measured here: start the next day with an empty queue (a new one; moto's
                # queue operations slow down with every message kept, and PurgeQueue waits 60 s between calls).
                sqs.delete_queue(QueueUrl=queue)
                queue = sqs.create_queue(QueueName=f"bench-reminders-{day.isoformat()}")["QueueUrl"]
                planner = Planner(dynamodb, sqs, replace(settings, queue_url=queue), programs())
            totals["days"] += 1
            totals["planned"] += report.planned
            totals["items_read"] += report.items_read
            totals["ceiling_days"] += report.ceiling_reached
            totals["max_per_day"] = max(totals["max_per_day"], report.planned)
            day += timedelta(days=1)
        seconds = time.perf_counter() - started
    return {
        "workers": n_workers,
        "coverages": len(items),
        "expected_notices": len(items) * 3,
        "first_day": (ends[0] - timedelta(days=longest)).isoformat(),
        "last_day": last.isoformat(),
        **totals,
        "max_sms_per_run": settings.max_per_run,
        "reads_per_notice": round(totals["items_read"] / totals["planned"], 4) if totals["planned"] else None,
        "planner_seconds": round(seconds, 1),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    print(json.dumps(reads_per_notice(), indent=1))


if __name__ == "__main__":
    main()
