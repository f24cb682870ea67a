"""The demo's reminder days: which days the planner runs on, and the time left it shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lindungi_dev.demo import Eta
from lindungi_dev.reminders_local import planner_days


def test_the_planner_runs_on_the_schedules_days_and_the_day_after_each() -> None:
    window = [date(2025, 5, 1) + timedelta(days=d) for d in range(31)]
    planning = {date(2025, 5, 1): 3000, date(2025, 5, 24): 10, date(2025, 5, 31): 5}
    assert planner_days(window, planning) == [date(2025, 5, 1), date(2025, 5, 2), date(2025, 5, 24),
                                              date(2025, 5, 25), date(2025, 5, 31)]  # 1 June is past the window


def test_eta_weighs_the_days_ahead_by_their_sms() -> None:
    eta = Eta()
    assert eta.seconds(3, 100) is None  # nothing measured yet
    eta.add(12.0, 100)  # a day of 100 SMS
    assert eta.seconds(1, 100) == pytest.approx(12.0)  # no quiet day measured: all of it counts per SMS
    eta.add(2.0, 0)
    eta.add(4.0, 0)
    eta.add(3.0, 0)  # quiet days: 3 s is their median
    assert eta.seconds(2, 50) == pytest.approx(2 * 3.0 + 50 * (12.0 - 3.0) / 100)
