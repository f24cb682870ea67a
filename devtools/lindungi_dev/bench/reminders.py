"""Reminders on moto: does every reachable worker get every stage, and what does a notice cost in requests.

``python -m lindungi_dev.bench reminders [--quick] [--scale 1000,10000,100000]``. In-process moto as
released, with the tables and queues of template.yaml; the sample workers are stored as ingestion stores
them. Each scenario runs the real planner at 09:00 WIB on every day some reminder window is open, under
the template's default ceiling, and the real sender over the queue (batches of 10, as the event source
mapping delivers them, while the planner queues). Requests are every AWS call the planner's and sender's
clients make (botocore ``before-call`` events), KMS's included (the sealed queue bodies), per SMS sent. The
sender here is one container for the whole simulation, so it decrypts each run's data key once; Lambda runs
up to ``MaximumConcurrency`` (5) containers, each decrypting it once, which adds at most 4 calls a run.

- ``cohort``: 7,737 pekerja-rentan sharing one TMT, 767 pekerja-sawit sharing another (a city list).
- ``staggered``: the sample's own TMTs (five start dates a month apart).
- ``missed``: the cohort with the planner failing two days in a row (3 and 2 days before the end).

Scale: one planner run over N covers all due the same day (ceiling N), requests and seconds per notice.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from lindungi.config import programs
from lindungi.intake.store import write_items
from lindungi.reminders.planner import Planner, run_time, stages_of
from lindungi.settings import PlannerSettings
from lindungi_dev import samples
from lindungi_dev.emulator.template import ACCOUNT, REGION
from lindungi_dev.samples import coverages

from .common import Calls, read_notices, reminder_loop, stack

BASELINE = {"requests_per_sms": 10.95, "commit": "7d16556", "workers": 400,
            "how": "the same planner+sender loop and call counting, run on the code before this change"}
"""Requests per SMS sent measured on the code before this change (TransactWriteItems + outbox clear per
notice; GetItem, Query, GetItem and CheckIfPhoneNumberIsOptedOut per delivery), same harness and counting."""


def sample_items(n_workers: int = 8504, tmt: dict[str, date] | None = None) -> list[dict[str, Any]]:
    """The sample lists (7,737 pekerja-rentan + 767 pekerja-sawit, scaled) as coverage items; ``tmt``: per program."""
    sawit = round(n_workers * 767 / 8504)
    people = samples.workers(n_workers - sawit, "pekerja-rentan") + samples.workers(sawit, "pekerja-sawit", seed=2)
    return [coverages.sample_coverage(w, line=line, start=(tmt or {}).get(w.program))
            for line, w in enumerate(people, start=2)]


def _take(sqs: Any, url: str) -> None:
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                         for i, m in enumerate(messages)])


def simulate(items: list[dict[str, Any]], missed: Sequence[int] = (), ceiling: int | None = None) -> dict[str, Any]:
    """Day by day: the planner at 09:00 WIB (except ``missed`` days before the cohort's end), then the sender."""
    with stack() as (session, st):
        dynamodb = session.client("dynamodb")
        write_items(dynamodb, st.physical("WorkersTable"), items, threads=1)
        calls = Calls()
        loop = reminder_loop(session, st, calls, ceiling)
        ends = Counter(date.fromisoformat(i["coverage_end"]) for i in items)
        peak = ends.most_common(1)[0][0]
        skip = {peak - timedelta(days=d) for d in missed}
        horizon = max(stages_of(programs(), p).horizon for p in programs().by_id)
        days = sorted({e - timedelta(days=d) for e in ends for d in range(horizon + 1)} - skip)
        per_day, started, items_read = [], time.perf_counter(), 0
        for day in days:
            report = loop.run(day)
            items_read += report.items_read
            if report.planned:
                per_day.append((day.isoformat(), report.planned, report.early))
            print(f"  {day} planned {report.planned:>5} (early {report.early:>5}, due {report.due:>5}) "
                  f"{time.perf_counter() - started:7.0f} s", file=sys.stderr, flush=True)
        seconds = time.perf_counter() - started
        notices = read_notices(dynamodb, st.physical("NoticesTable"))
        from moto.sns.models import sns_backends

        published = len(sns_backends[ACCOUNT][REGION].sms_messages)
    figures = _figures(items, notices, calls, published, per_day, seconds, loop.planner.settings.max_per_run,
                       sorted(skip))
    figures["items_read_per_sms"] = round(items_read / figures["sms_sent"], 2) if figures["sms_sent"] else None
    return figures


def _figures(items: list[dict[str, Any]], notices: list[dict[str, Any]], calls: Calls, published: int,
             per_day: list[tuple[str, int, int]], seconds: float, ceiling: int, skipped: list[date]) -> dict[str, Any]:
    stages = {p.id: len(p.reminder_days) for p in programs().by_id.values()}
    sent = Counter((n["nik"], n["program"], n["coverage_start"]) for n in notices if n["status"] == "sent")
    reachable = [i for i in items if i.get("sms_capable") and i.get("phone")]
    complete = sum(sent[(i["nik"], i["program"], i["coverage_start"])] >= stages[i["program"]] for i in reachable)
    n_sent = sum(sent.values())
    return {
        "workers": len(items), "reachable": len(reachable), "ceiling": ceiling,
        "missed_days": [d.isoformat() for d in skipped],
        "every_stage_pct": round(100 * complete / len(reachable), 2) if reachable else None,
        "sms_sent": n_sent, "sms_published": published, "duplicates": published - n_sent,
        "outcomes": dict(Counter(n["status"] for n in notices)),
        "max_per_run": max((p for _, p, _ in per_day), default=0),
        "planned_early": sum(e for _, _, e in per_day),
        "requests_per_sms": round(sum(calls.values()) / n_sent, 2) if n_sent else None,
        "requests": dict(calls.most_common()),
        "seconds": round(seconds, 1),
    }


def scale(n: int) -> dict[str, Any]:
    """One planner run over ``n`` covers all due today (two days before their common end), ceiling ``n``."""
    items = sample_items(n, tmt={"pekerja-rentan": date(2025, 1, 1), "pekerja-sawit": date(2024, 6, 1)})
    with stack() as (session, st):
        write_items(session.client("dynamodb"), st.physical("WorkersTable"), items, threads=1)
        calls = Calls()
        settings = replace(PlannerSettings.from_env(st.function_env("PlannerFunction")), max_per_run=n)
        planner_sqs = calls.hook(session.client("sqs"))
        planner = Planner(calls.hook(session.client("dynamodb")), planner_sqs, calls.hook(session.client("kms")),
                          settings, programs())
        consumer, queue = session.client("sqs"), st.physical("ReminderQueue")
        # A consumer takes each batch off the queue as it arrives (not counted: this measures the planner),
        # so moto's SQS, whose cost grows with the square of the queue's depth, stays out of the figure.
        planner_sqs.meta.events.register("after-call.sqs.SendMessageBatch", lambda **_: _take(consumer, queue))
        started = time.perf_counter()
        report = planner.run(run_time(date(2025, 5, 29), programs()))
        seconds = time.perf_counter() - started
    return {"due": report.due, "planned": report.planned, "seconds": round(seconds, 1),
            "items_read_per_notice": round(report.reads_per_notice, 3), "requests_per_notice":
            round(sum(calls.values()) / report.planned, 3) if report.planned else None,
            "ms_per_notice_on_moto": round(1000 * seconds / report.planned, 2) if report.planned else None,
            "requests": dict(calls.most_common())}


SCENARIOS = {
    "cohort": lambda n: (sample_items(n, {"pekerja-rentan": date(2025, 1, 1), "pekerja-sawit": date(2025, 3, 1)}), ()),
    "staggered": lambda n: (sample_items(n), ()),
    "missed": lambda n: (sample_items(n, {"pekerja-rentan": date(2025, 1, 1), "pekerja-sawit": date(2025, 3, 1)}),
                         (3, 2)),
}


def run(quick: bool = False, workers: int = 8504, sizes: Sequence[int] = (1000, 10_000),
        only: Sequence[str] = ()) -> dict[str, Any]:
    n = 850 if quick and workers == 8504 else workers
    ceiling = None if not quick else round(3000 * n / 8504)  # quick: the default ceiling scaled to the sample
    out: dict[str, Any] = {"baseline": BASELINE, "scenarios": {}, "scale": {}}
    for name, make in SCENARIOS.items():
        if only and name not in only:
            continue
        items, missed = make(n)
        out["scenarios"][name] = simulate(items, missed, ceiling)
    for size in ([] if quick else sizes):
        out["scale"][str(size)] = scale(size)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench reminders", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="850 workers (or --workers), the ceiling scaled down, no scale runs")
    parser.add_argument("--workers", type=int, default=8504)
    parser.add_argument("--scale", default="1000,10000", help="due notices for the planner's cost (e.g. add 100000)")
    parser.add_argument("--only", default="", help="scenarios to run, comma-separated (cohort,staggered,missed)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.scale.split(",") if s]
    only = [s for s in args.only.split(",") if s]
    print(json.dumps(run(args.quick, args.workers, sizes, only), indent=1))

