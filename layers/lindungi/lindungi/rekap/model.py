"""The rekap's read model: every list's coverages folded, one worker at a time, into the figures staff read.

``Rekap.add_worker`` takes all the coverage items of one NIK (one item
collection of the workers table) and keeps only counters and the few rows
staff must act on (double listings, workers in both programs, workers who
cannot be texted). Nothing else of a worker stays after the call, so the
memory is bounded by those lists, not by the table.

Definitions (the rekap of docs/domain.md):

- *covered now*: TMT <= today <= end of cover; a worker counts once per program.
- *renewed*: a cover that has ended is renewed when the same NIK has a later
  coverage in any program starting from 60 days before its end to 90 days after
  it (``lindungi.renewal``, the window in ``programs.json``; e.g. the branch's
  list of BPU self-payers). Per cohort (program, TMT) and per kecamatan; the
  city's rate today is 27 %, its target 40-50 %.
- *listed twice*: two listings of one program whose periods overlap, from
  different uploads: the worker may be paid twice. Different TMTs are two
  items of the table; the same (program, TMT) from two files is one item (the
  later listing wins), so those come from the uploads' reports (``listings``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from lindungi.config import Programs
from lindungi.offices import display_name
from lindungi.rekap.listings import Listings
from lindungi.renewal import Period

WEEKS = 12
CITY_RENEWAL_RATE = 0.27
TARGET_RENEWAL = (0.40, 0.50)
UNKNOWN = ""


@dataclass(frozen=True, slots=True)
class Cover:
    """One coverage item, only what the rekap reads."""

    nik: str
    name: str
    program: str
    start: date
    end: date
    kecamatan: str
    kelurahan: str
    sms_capable: bool
    source_key: str
    listed_at: str
    phone: str = ""

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Cover:
        return cls(
            nik=str(item["nik"]), name=str(item.get("name", "")), program=str(item["program"]),
            start=date.fromisoformat(item["coverage_start"]), end=date.fromisoformat(item["coverage_end"]),
            kecamatan=str(item.get("kecamatan") or UNKNOWN), kelurahan=str(item.get("kelurahan") or UNKNOWN),
            sms_capable=bool(item.get("sms_capable")), source_key=str(item.get("source_key", "")),
            listed_at=str(item.get("listed_at", "")), phone=str(item.get("phone") or ""),
        )

    @property
    def period(self) -> Period:
        return Period(self.program, self.start, self.end)

    @property
    def file(self) -> str:
        return display_name(self.source_key)


@dataclass(frozen=True, slots=True)
class Listing:
    """A worker staff must look at: listed twice, in both programs, or not reachable by SMS."""

    nik: str
    name: str
    programs: tuple[str, ...]
    kecamatan: tuple[str, ...]
    kelurahan: str
    files: tuple[str, ...]
    detail: str = ""
    """For a failed number: the carrier's reason; else empty."""
    since: str = ""


@dataclass(frozen=True, slots=True)
class FailedNumber:
    """An ``UNREACHABLE#<e164>`` item of the notices table: the number failed permanently."""

    e164: str
    nik: str
    reason: str
    added_at: str


@dataclass
class Ratio:
    ended: int = 0
    renewed: int = 0

    def add(self, renewed: bool) -> None:
        self.ended += 1
        self.renewed += int(renewed)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Rekap:
    today: date
    programs: Programs
    workers: int = 0
    covers: int = 0
    covered: Counter[str] = field(default_factory=Counter)
    places: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(program, kecamatan, kelurahan) -> workers covered now."""
    ending: Counter[tuple[date, str]] = field(default_factory=Counter)
    """(Monday of the week, program) -> covers ending that week, for the next ``WEEKS`` weeks."""
    cohorts: dict[tuple[str, date], Ratio] = field(default_factory=dict)
    renewal_places: dict[str, Ratio] = field(default_factory=dict)
    no_sms_places: Counter[str] = field(default_factory=Counter)
    listed_twice: list[Listing] = field(default_factory=list)
    both_programs: list[Listing] = field(default_factory=list)
    no_sms: list[Listing] = field(default_factory=list)
    failed_numbers: list[Listing] = field(default_factory=list)
    notices: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    """(program, stage, status) -> notices."""
    opt_outs: int = 0
    unreachable: dict[str, FailedNumber] = field(default_factory=dict)
    """e164 -> the number's permanent failure, read from the notices table before the workers."""
    listings: Listings | None = None
    """Which uploads listed each worker (the reports in the bucket), when they were read: double listings with
    the same TMT, which the table holds as one item."""
    read: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    """What the read cost: pages, items and read capacity units per table."""

    @property
    def weeks(self) -> list[date]:
        first = week_start(self.today)
        return [first + timedelta(weeks=n) for n in range(WEEKS)]

    def renewal(self) -> Ratio:
        """The headline: the city's covers that ended, and how many were renewed (self-paid covers, which are
        the renewals, have their own cohort lines but are not in it)."""
        total = Ratio()
        for (program, _), ratio in self.cohorts.items():
            found = self.programs.get(program)
            if found is not None and found.self_paid:
                continue
            total.ended += ratio.ended
            total.renewed += ratio.renewed
        return total

    def add_notice(self, program: str, stage: int, status: str) -> None:
        self.notices[(program, stage, status)] += 1

    def add_worker(self, covers: Sequence[Cover]) -> None:
        """Fold the coverages of one NIK (any order) into the figures."""
        if not covers:
            return
        covers = sorted(covers, key=lambda c: (c.start, c.program))
        self.workers += 1
        self.covers += len(covers)
        latest = max(covers, key=lambda c: c.listed_at)  # the worker's current contact and place
        current = [c for c in covers if c.start <= self.today <= c.end]
        periods = [c.period for c in covers]
        for program in {c.program for c in current}:
            place = max((c for c in current if c.program == program), key=lambda c: c.listed_at)
            self.covered[program] += 1
            self.places[(program, place.kecamatan, place.kelurahan)] += 1
        horizon = week_start(self.today) + timedelta(weeks=WEEKS)
        for cover in covers:
            if self.today <= cover.end < horizon:
                self.ending[(week_start(cover.end), cover.program)] += 1
            if cover.end < self.today:
                renewed = self.programs.renewal.renewed(cover.period, periods)
                self.cohorts.setdefault((cover.program, cover.start), Ratio()).add(renewed)
                self.renewal_places.setdefault(cover.kecamatan, Ratio()).add(renewed)
        self._problems(covers, latest, current)

    def _problems(self, covers: Sequence[Cover], latest: Cover, current: Sequence[Cover]) -> None:
        twice = [(a, b) for i, a in enumerate(covers) for b in covers[i + 1:]
                 if a.program == b.program and a.source_key != b.source_key and b.start <= a.end]
        reported = self.listings.twice(latest.nik) if self.listings else []
        if twice or reported:
            involved = sorted({c for pair in twice for c in pair}, key=lambda c: c.start)
            listing = _listing(latest, involved or [latest])
            files = [f"{x.file} ({x.sheet})" if x.sheet else x.file for x in reported] or listing.files
            self.listed_twice.append(replace(listing, files=tuple(dict.fromkeys(files)),
                                             programs=tuple(dict.fromkeys([*listing.programs,
                                                                           *(x.program for x in reported)]))))
        if len({c.program for c in covers}) > 1:
            self.both_programs.append(_listing(latest, covers))
        if current and not latest.sms_capable:
            self.no_sms.append(_listing(latest, current))
            self.no_sms_places[latest.kecamatan] += 1
        failed = self.unreachable.get(latest.phone) if latest.phone else None
        if failed is not None and current:  # still the worker's number: staff should ask for a new one
            self.failed_numbers.append(_listing(latest, [latest], failed.reason, failed.added_at))


def _listing(latest: Cover, covers: Sequence[Cover], detail: str = "", since: str = "") -> Listing:
    return Listing(
        nik=latest.nik, name=latest.name,
        programs=tuple(dict.fromkeys(c.program for c in covers)),
        kecamatan=tuple(dict.fromkeys(c.kecamatan for c in covers)),
        kelurahan=latest.kelurahan,
        files=tuple(dict.fromkeys(c.file for c in covers)),
        detail=detail, since=since,
    )
