"""One definition of *renewed*, for every stage that asks: the sender (stop reminding), the rekap (count it)
and the staff portal (show it).

A cover is renewed when the same worker has another cover, in any program (the city's, or one they pay
themselves), that starts no earlier than ``before`` days before the old cover ends and no later than
``after`` days after it: 60 and 90 by default, in ``programs.json`` under ``renewal``. Why that window is
in the README's decisions: a self-payer's BPU period often starts a few days or weeks late (the branch lists
them when they pay) or overlaps the city's last months (paid ahead); a cover that starts much later is a
new enrolment after a lapse, not a renewal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """A worker's cover as renewal sees it: which program, from when, until when (inclusive)."""

    program: str
    start: date
    end: date

    def token(self) -> str:
        """``<program>#<start>#<end>``: how a period is kept in a worker's item."""
        return f"{self.program}#{self.start.isoformat()}#{self.end.isoformat()}"

    @classmethod
    def of_token(cls, token: str) -> Period:
        program, start, end = token.rsplit("#", 2)
        return cls(program, date.fromisoformat(start), date.fromisoformat(end))


@dataclass(frozen=True)
class RenewalWindow:
    before: int = 60
    """A later cover may start this many days before the old one ends (paid ahead, overlapping)."""
    after: int = 90
    """... and at most this many days after it (paid late, a gap)."""

    def __post_init__(self) -> None:
        if self.before < 0 or self.after < 0:
            raise ValueError("renewal: from_days_before_end and until_days_after_end must be >= 0")

    def renews(self, old: Period, later: Period) -> bool:
        """Whether ``later`` renews ``old``: another cover, starting after ``old`` did, within the window."""
        return (later != old and later.start > old.start
                and old.end - timedelta(days=self.before) <= later.start <= old.end + timedelta(days=self.after))

    def renewed(self, old: Period, covers: Iterable[Period]) -> bool:
        """Whether any of the worker's ``covers`` (the old one may be among them) renews ``old``."""
        return any(self.renews(old, later) for later in covers)
