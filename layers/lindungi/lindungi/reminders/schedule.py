"""Which reminders a run sends: stage windows, last days, and the earliest-deadline-first look-ahead.

Pure rules, no AWS. Per program, each stage ``s`` has a window (``programs.json`` ``reminder_windows``)::

    opens  = end - window(s)            (stage 30: 36 days before, stage 7: 10, stage 1: 4)
    day    = end - s                    the stage's own day: it goes then when nothing forces it earlier
    last   = end - (window(next) + 1)   the day before the next stage's window opens; end itself for the last

A cover ``days_left`` before its end owes the stage whose window holds that day: the smallest ``s`` with
``window(s) >= days_left`` (a stage whose window has passed is skipped; the worker gets the more urgent text).

A run at day ``t`` with ``ceiling`` messages takes the open, not yet planned notices in order of their
last day (earliest deadline first) and sends:

- every notice whose own day has come (``day <= t``), and
- the look-ahead's share: for each last day ``d``, the notices due by ``d`` beyond what the runs after
  today can carry, ``count(last <= d) - ceiling * max(0, (d - t) - tolerated)``, where ``tolerated`` is
  how many runs may fail (``missed_runs_tolerated``). A peak that cannot fit under the ceiling before its
  last day, with that many runs lost, starts earlier; a small day's notices go on their own day (the last
  stage, whose last day is the end itself, goes at the latest ``tolerated`` days before it).

all at most ``budget`` (the ceiling less what the run already queued), most urgent first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Stages:
    """A program's reminder stages (days before the end, most distant first) and their windows."""

    days: tuple[int, ...]
    windows: Mapping[int, int]

    def opens(self, stage: int) -> int:
        return self.windows.get(stage, stage)

    @property
    def horizon(self) -> int:
        """The most days before the end any stage may go out."""
        return max((self.opens(s) for s in self.days), default=0)

    def owed(self, days_left: int) -> int | None:
        """The stage owed ``days_left`` days before the end; None when the cover ended or no window is open."""
        if days_left < 0:
            return None
        open_now = [s for s in self.days if self.opens(s) >= days_left]
        return min(open_now) if open_now else None

    def following(self, stage: int) -> int | None:
        later = [s for s in self.days if s < stage]
        return max(later) if later else None

    def last_day(self, stage: int) -> int:
        """Days before the end of the last day ``stage`` may still go out."""
        following = self.following(stage)
        return 0 if following is None else self.opens(following) + 1


@dataclass(frozen=True)
class Bucket:
    """Due notices alike for the schedule: one program, stage and end date, not yet planned."""

    key: tuple[str, ...]
    stage: int
    end: date
    count: int
    last: date
    """The last day this stage may go out (see the module docstring)."""
    day: date
    """The stage's own day."""


def bucket(key: tuple[str, ...], stages: Stages, end: date, today: date, count: int) -> Bucket | None:
    """The bucket of ``count`` covers ending ``end``, or None if none is owed anything today."""
    stage = stages.owed((end - today).days)
    if stage is None:
        return None
    last = end - timedelta(days=stages.last_day(stage))
    return Bucket(key, stage, end, count, last, end - timedelta(days=stage))


def edf(buckets: Iterable[Bucket]) -> list[Bucket]:
    """Earliest deadline first: last day, then own day, then most urgent stage."""
    return sorted(buckets, key=lambda b: (b.last, b.day, b.stage, b.key))


def forced(order: Sequence[Bucket], today: date, ceiling: int, tolerated: int) -> int:
    """How many notices (in EDF order) today's run must take so the rest fits later runs with ``tolerated`` lost."""
    need, cumulative = 0, 0
    for b in order:
        cumulative += b.count
        runs_after = max(0, (b.last - today).days - tolerated)
        need = max(need, cumulative - ceiling * runs_after)
    return need


def choose(buckets: Iterable[Bucket], today: date, budget: int, ceiling: int, tolerated: int) -> dict[Bucket, int]:
    """How many notices of each bucket today's run plans (buckets not named: none)."""
    order = edf(b for b in buckets if b.count > 0)
    must = forced(order, today, ceiling, tolerated)
    taken: dict[Bucket, int] = {}
    before, left = 0, max(0, budget)
    for b in order:
        want = b.count if b.day <= today else min(b.count, max(0, must - before))
        before += b.count
        take = min(want, left)
        if take:
            taken[b] = take
            left -= take
    return taken


def planning_days(covers: Mapping[tuple[str, date], int], stages: Mapping[str, Stages], ceiling: int,
                  tolerated: int) -> dict[date, int]:
    """The days on which daily runs plan something, and how many, if each run plans what ``choose`` gives it.

    ``covers``: (program, end) -> how many covers end then. The same rules as a run, over counts instead of
    items: on a day missing here, every window open holds only stages already planned or not yet due, and
    a run would plan nothing (requeued retries, which take part of a run's ceiling, are not in this)."""
    planned: dict[tuple[str, int, date], int] = {}
    window_days = sorted({end - timedelta(days=d) for program, end in covers
                          for d in range(stages[program].horizon + 1)})
    out: dict[date, int] = {}
    for today in window_days:
        buckets = []
        for (program, end), n in covers.items():
            b = bucket((program, "", end.isoformat()), stages[program], end, today, 0)
            if b is None:
                continue
            left = n - planned.get((program, b.stage, end), 0)
            if left > 0:
                buckets.append(Bucket((program, str(b.stage), end.isoformat()), b.stage, end, left, b.last, b.day))
        taken = choose(buckets, today, ceiling, ceiling, tolerated)
        for b, n in taken.items():
            key = (b.key[0], b.stage, b.end)
            planned[key] = planned.get(key, 0) + n
        if taken:
            out[today] = sum(taken.values())
    return out
