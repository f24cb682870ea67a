"""The city's year at real scale: two cohorts, the branch's self-payers, every reminder day, the rekap.

``python -m lindungi_dev.bench year [--scale 1.0]``. In-process moto with the tables and queues of
template.yaml, as ``bench.reminders`` runs the planner and the sender in its own loop. The lists go through
the real reading (``intake.check``) and the real store step (covers and workers' own items merged under
the workers' lock, ``store.merge_workers``), without S3 and the idempotency wrapper:

- 2 January 2025: the city's lists, 7,737 ``pekerja-rentan`` (TMT 1 January, 5 months: ends 31 May) and
  767 ``pekerja-sawit`` (TMT 1 January, 12 months: ends 31 December);
- ``BRANCH_LISTED`` (19 May, 08:00 WIB, before that day's run): the branch's list of 2,000 self-payers
  under ``incoming/bpu-mandiri/``, with an Iuran Sampai column. Of them (``Kind``): ``gap`` renew a
  pekerja-rentan cover starting up to 89 days after its end, ``overlap`` start up to 59 days before it
  (paid ahead), ``late`` start more than 90 days after it (a new enrolment after a lapse, not a renewal),
  ``past`` are pekerja-sawit workers whose self-paid months ended before the city paid (not a renewal),
  ``new`` were never on the city's lists. A third give a new number, one in six none (a list without a
  number erases none), the rest the number the city listed.

Then every day a reminder window is open, the planner at 09:00 WIB under the template's ceiling (scaled
with the city) and the sender over the queue. The checks, as figures (``check`` says which fail):

- no SMS to a replaced number: every SMS went to the worker's number of its day (the branch's new number
  from its listing on);
- no reminder after a renewal is listed: no SMS for a renewed cover after the branch's listing;
- every other worker gets every stage (30, 7, 1);
- the rekap's renewal rate (31 January 2026) is what the data says: the ``gap`` and ``overlap`` covers;
- ingestion writes at most 0.1 ``BatchWriteItem`` a row; at most 4 requests per SMS.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from lindungi import phone
from lindungi.config import programs
from lindungi.intake import store
from lindungi.intake.check import check
from lindungi.rekap.read import build
from lindungi.reminders.notices import iso
from lindungi_dev import samples
from lindungi_dev.emulator.template import ACCOUNT, REGION

from .common import Calls, read_notices, reminder_loop, stack

RENTAN, SAWIT, SELF_PAID = "pekerja-rentan", "pekerja-sawit", "bpu-mandiri"
CITY_TMT = date(2025, 1, 1)
CITY_LISTED = datetime(2025, 1, 2, 8, 0, tzinfo=programs().timezone)
BRANCH_LISTED = datetime(2025, 5, 19, 8, 0, tzinfo=programs().timezone)
REKAP_DAY = date(2026, 1, 31)
FULL = {RENTAN: 7737, SAWIT: 767, SELF_PAID: 2000}
CEILING = 3000
"""The template's MaxSmsPerRun, for the full city; scaled with it."""
TARGET_WRITES_PER_ROW, TARGET_REQUESTS_PER_SMS = 0.1, 4.0


class Kind(StrEnum):
    GAP = "gap"
    OVERLAP = "overlap"
    LATE = "late"
    PAST = "past"
    NEW = "new"


SHARES = {Kind.GAP: 0.35, Kind.OVERLAP: 0.25, Kind.LATE: 0.15, Kind.PAST: 0.10, Kind.NEW: 0.15}
RENEWING = (Kind.GAP, Kind.OVERLAP)


@dataclass(frozen=True)
class SelfPayer:
    worker: samples.Worker
    kind: Kind
    tmt: date
    paid_until: date
    phone: str
    """As the branch lists it: a new number, the city's, or empty."""


@dataclass
class City:
    rentan: list[samples.Worker]
    sawit: list[samples.Worker]
    branch: list[SelfPayer]
    ceiling: int

    @property
    def renewed(self) -> set[str]:
        """The NIKs whose city cover the branch's list renews (by how the data was made, not by renewal.py)."""
        return {s.worker.nik for s in self.branch if s.kind in RENEWING}

    @property
    def new_numbers(self) -> dict[str, str]:
        """NIK -> the E.164 number the branch gave, where it differs from the city's."""
        city = {w.nik: _e164(w.phone) for w in self.rentan + self.sawit}
        return {s.worker.nik: _e164(s.phone) for s in self.branch
                if s.phone and _e164(s.phone) != city.get(s.worker.nik)}


def _e164(text: str) -> str:
    found = phone.normalize(text).e164
    assert found is not None, text
    return found


def city(scale: float = 1.0, seed: int = 19) -> City:
    """The city's lists and the branch's, ``scale`` of the real sizes (deterministic for a seed)."""
    rng = random.Random(seed)
    sizes = {p: max(1, round(n * scale)) for p, n in FULL.items()}
    tmt = CITY_TMT.strftime("%d-%m-%Y")
    rentan = [replace(w, tmt=tmt) for w in samples.workers(sizes[RENTAN], RENTAN, seed=seed)]
    rentan_niks = {w.nik for w in rentan}
    sawit = [replace(w, tmt=tmt) for w in samples.workers(sizes[SAWIT] + 20, SAWIT, seed=seed + 1, start_serial=9000)
             if w.nik not in rentan_niks][: sizes[SAWIT]]
    taken = {w.nik for w in rentan + sawit}
    newcomers = [w for w in samples.workers(sizes[SELF_PAID], SELF_PAID, seed=seed + 2, start_serial=8000)
                 if w.nik not in taken]
    counts = {k: round(share * sizes[SELF_PAID]) for k, share in SHARES.items()}
    counts[Kind.PAST] = min(counts[Kind.PAST], len(sawit) // 2)
    counts[Kind.GAP] += sizes[SELF_PAID] - sum(counts.values())
    pool = rng.sample(rentan, counts[Kind.GAP] + counts[Kind.OVERLAP] + counts[Kind.LATE])
    rentan_end = date(2025, 5, 31)
    branch: list[SelfPayer] = []
    for i, w in enumerate(pool):
        kind = Kind.GAP if i < counts[Kind.GAP] else Kind.OVERLAP if i < counts[Kind.GAP] + counts[Kind.OVERLAP] \
            else Kind.LATE
        start = {Kind.GAP: rentan_end + timedelta(days=rng.randint(1, 90)),
                 Kind.OVERLAP: rentan_end - timedelta(days=rng.randint(0, 59)),
                 Kind.LATE: rentan_end + timedelta(days=rng.randint(92, 150))}[kind]
        branch.append(SelfPayer(w, kind, start, _months_later(start, rng.choice([1, 3, 6, 12])), ""))
    for w in rng.sample(sawit, counts[Kind.PAST]):
        branch.append(SelfPayer(w, Kind.PAST, date(2024, 6, 1), date(2024, 11, 30), ""))
    for w in newcomers[: counts[Kind.NEW]]:
        start = date(2025, 4, 1) + timedelta(days=rng.randint(0, 40))
        branch.append(SelfPayer(w, Kind.NEW, start, _months_later(start, 3), ""))
    rng.shuffle(branch)
    numbered = []
    for i, s in enumerate(branch):
        which = i % 6  # a third a new number, one in six none, the rest the city's (or the newcomer's own)
        number = _new_number(rng) if which < 2 else "" if which == 2 else s.worker.phone
        numbered.append(replace(s, phone=number))
    return City(rentan, sawit, numbered, max(1, round(CEILING * scale)))


def _months_later(start: date, months: int) -> date:
    from lindungi.dates import coverage_end
    return coverage_end(start, months)


def _new_number(rng: random.Random) -> str:
    return "0857" + "".join(rng.choice("0123456789") for _ in range(8))


def branch_csv(branch: Sequence[SelfPayer]) -> bytes:
    """The branch's list as it keeps it: NIK, name, number, TMT and the day the contributions pay up to."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["DAFTAR PESERTA BPU MANDIRI KANTOR CABANG SINGKAWANG"])
    writer.writerow([])
    writer.writerow(["No", "NIK", "Nama Peserta", "No HP", "TMT", "Iuran Sampai"])
    for n, s in enumerate(branch, start=1):
        writer.writerow([n, s.worker.nik, s.worker.name, s.phone, s.tmt.strftime("%d-%m-%Y"),
                         s.paid_until.strftime("%d-%m-%Y")])
    return out.getvalue().encode("utf-8-sig")


@dataclass
class Ingested:
    rows: int = 0
    accepted: int = 0
    batch_writes: int = 0
    by_program: Counter[str] = field(default_factory=Counter)


def ingest(client: Any, table: str, data: bytes, name: str, program: str, listed: datetime,
           into: Ingested) -> None:
    """One list through the real reading and store step (as ``intake.ingest`` stores it)."""
    report = check(data, name, program)
    assert report.error is None, report.error
    source = store.Source("bucket", f"incoming/{program}/{name}", None, uuid.uuid4().hex * 2,
                          listed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    covers = [store.coverage_item(row, source, programs()) for row in report.accepted]
    stats = store.merge_workers(client, table, report.accepted, source, covers=covers, holder=name)
    into.rows += len(report.accepted) + len(report.rejected)
    into.accepted += len(report.accepted)
    into.batch_writes += stats.requests
    into.by_program.update(row.program for row in report.accepted)


def simulate(town: City, progress: bool = False) -> dict[str, Any]:
    """The year, day by day; its figures and the checks' findings."""
    started = time.perf_counter()
    with stack() as (session, st):
        dynamodb = session.client("dynamodb")
        workers_table, notices_table = st.physical("WorkersTable"), st.physical("NoticesTable")
        ingested = Ingested()
        ingest(dynamodb, workers_table, samples.write_csv(town.rentan), "rentan.csv", RENTAN, CITY_LISTED, ingested)
        ingest(dynamodb, workers_table, samples.write_csv(town.sawit), "sawit.csv", SAWIT, CITY_LISTED, ingested)
        ingest_seconds = time.perf_counter() - started
        calls = Calls()
        loop = reminder_loop(session, st, calls, town.ceiling)
        ends = {date(2025, 5, 31), date(2025, 12, 31)}
        horizon = max(p.window_opens(s) for p in programs().by_id.values() for s in p.reminder_days)
        days = sorted({e - timedelta(days=d) for e in ends for d in range(horizon + 1)} | {BRANCH_LISTED.date()})
        for day in days:
            if day == BRANCH_LISTED.date():
                ingest(dynamodb, workers_table, branch_csv(town.branch), "mandiri.csv", SELF_PAID, BRANCH_LISTED,
                       ingested)
            report = loop.run(day)
            if progress:
                print(f"  {day} planned {report.planned:>5} {time.perf_counter() - started:7.0f} s",
                      file=sys.stderr, flush=True)
        notices = read_notices(dynamodb, notices_table)
        from moto.sns.models import sns_backends

        published: dict[str, tuple[str, str]] = dict(sns_backends[ACCOUNT][REGION].sms_messages)
        rekap = build(dynamodb, workers_table, notices_table, REKAP_DAY, programs())
    figures = check_year(town, notices, published, calls, ingested)
    total = rekap.renewal()
    figures["rekap"] = {"ended": total.ended, "renewed": total.renewed,
                        "rate": round(total.renewed / total.ended, 4) if total.ended else None,
                        "covered": dict(rekap.covered)}
    expected = figures["expected"]
    figures["failures"] += [] if (total.ended, total.renewed) == (expected["ended"], expected["renewed"]) else [
        f"rekap: {total.renewed} of {total.ended} renewed, the data says {expected['renewed']} of "
        f"{expected['ended']}"]
    figures["seconds"] = {"ingestion": round(ingest_seconds, 1), "total": round(time.perf_counter() - started, 1)}
    return figures


def check_year(town: City, notices: list[dict[str, Any]], published: dict[str, tuple[str, str]], calls: Calls,
               ingested: Ingested) -> dict[str, Any]:
    """The checks of the module's docstring over what was stored and sent; ``failures`` names what broke."""
    listed = iso(BRANCH_LISTED)
    city_number = {w.nik: _e164(w.phone) for w in town.rentan + town.sawit}
    new_numbers, renewed = town.new_numbers, town.renewed
    failures: list[str] = []
    sms = [n for n in notices if n.get("sns_message_id")]
    stale = [n for n in sms if n["outcome_at"] >= listed and n["nik"] in new_numbers
             and published[n["sns_message_id"]][0] != new_numbers[n["nik"]]]
    wrong = [n for n in sms if published[n["sns_message_id"]][0] != (
        new_numbers[n["nik"]] if n["nik"] in new_numbers and n["outcome_at"] >= listed else city_number[n["nik"]])]
    after_renewal = [n for n in sms if n["nik"] in renewed and n["program"] == RENTAN and n["outcome_at"] >= listed]
    stages = {p.id: set(p.reminder_days) for p in programs().by_id.values()}
    got: dict[tuple[str, str], set[int]] = {}
    for n in sms:
        got.setdefault((n["nik"], n["program"]), set()).add(int(n["stage"]))
    others = [(w.nik, w.program) for w in town.rentan + town.sawit if w.nik not in renewed or w.program != RENTAN]
    missing = [key for key in others if got.get(key, set()) != stages[key[1]]]
    self_paid_sms = [n for n in sms if n["program"] == SELF_PAID]
    requests_per_sms = sum(calls.values()) / len(sms) if sms else 0.0
    writes_per_row = ingested.batch_writes / ingested.rows if ingested.rows else 0.0
    for what, found in (("SMS to a replaced number", stale), ("SMS to a number not the worker's of its day", wrong),
                        ("SMS after the renewal was listed", after_renewal),
                        ("workers missing a stage", missing), ("SMS to self-payers (reminders off)", self_paid_sms)):
        if found:
            failures.append(f"{what}: {len(found)}")
    if writes_per_row > TARGET_WRITES_PER_ROW:
        failures.append(f"ingestion: {writes_per_row:.3f} BatchWriteItem a row")
    if requests_per_sms > TARGET_REQUESTS_PER_SMS:
        failures.append(f"{requests_per_sms:.2f} requests per SMS")
    kinds = Counter(s.kind.value for s in town.branch)
    return {
        "workers": {RENTAN: len(town.rentan), SAWIT: len(town.sawit), SELF_PAID: len(town.branch)},
        "self_payers": dict(kinds), "new_numbers": len(new_numbers), "ceiling": town.ceiling,
        "accepted": dict(ingested.by_program),
        "expected": {"ended": len(town.rentan) + len(town.sawit), "renewed": len(renewed),
                     "rate": round(len(renewed) / (len(town.rentan) + len(town.sawit)), 4)},
        "sms": len(sms), "published": len(published), "statuses": dict(Counter(n["status"] for n in notices)),
        "sms_to_replaced_numbers": len(stale), "sms_after_renewal_listed": len(after_renewal),
        "reminded_every_stage": f"{len(others) - len(missing)} of {len(others)}",
        "batch_writes_per_row": round(writes_per_row, 4), "requests_per_sms": round(requests_per_sms, 2),
        "requests": dict(calls.most_common()),
        "failures": failures,
    }


def run(scale: float = 1.0, progress: bool = True) -> dict[str, Any]:
    return simulate(city(scale), progress)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench year", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="of the city's sizes (0.1: a tenth)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.scale), indent=1))
