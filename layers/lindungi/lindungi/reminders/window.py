"""The hours SMS may go out (08:00-20:00 WIB by default): the planner plans into them, the sender waits for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Window:
    """When SMS may go out, in local time: [from_hour, until_hour)."""

    timezone: Any
    from_hour: int = 8
    until_hour: int = 20

    def is_open(self, now: datetime) -> bool:
        return self.from_hour <= now.astimezone(self.timezone).hour < self.until_hour

    def next_open(self, now: datetime) -> datetime:
        """The next moment the window opens (``now`` itself if it is open)."""
        if self.is_open(now):
            return now
        local = now.astimezone(self.timezone)
        opening = local.replace(hour=self.from_hour, minute=0, second=0, microsecond=0)
        if local.hour >= self.until_hour:
            opening += timedelta(days=1)
        return opening
