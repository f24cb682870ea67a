"""The planner's pure rules: stage windows, which stage is owed, the look-ahead schedule, the send window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lindungi.config import load_programs, programs
from lindungi.reminders.planner import event_time, run_time
from lindungi.reminders.schedule import Bucket, Stages, bucket, choose, planning_days
from lindungi.reminders.window import Window
from lindungi.sms import TemplateError

STAGES = Stages((30, 7, 1), {30: 36, 7: 10, 1: 4})
WIB = programs().timezone


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        pytest.param(45, None, id="too-early"),
        pytest.param(37, None, id="day-before-first-window"),
        pytest.param(36, 30, id="first-window-opens"),
        pytest.param(30, 30, id="first-stage-day"),
        pytest.param(11, 30, id="last-day-of-first-stage"),
        pytest.param(10, 7, id="second-window-opens-first-skipped"),
        pytest.param(7, 7, id="second-stage-day"),
        pytest.param(5, 7, id="last-day-of-second-stage"),
        pytest.param(4, 1, id="last-window-opens"),
        pytest.param(1, 1, id="last-stage-day"),
        pytest.param(0, 1, id="ends-today"),
        pytest.param(-1, None, id="ended"),
    ],
)
def test_owed_stage(days_left: int, stage: int | None) -> None:
    assert STAGES.owed(days_left) == stage


@pytest.mark.parametrize(
    ("stage", "following", "last_day"),
    [
        pytest.param(30, 7, 11, id="30-until-7-opens"),
        pytest.param(7, 1, 5, id="7-until-1-opens"),
        pytest.param(1, None, 0, id="1-until-the-end"),
    ],
)
def test_next_stage_and_last_day(stage: int, following: int | None, last_day: int) -> None:
    assert STAGES.following(stage) == following and STAGES.last_day(stage) == last_day


def test_stages_without_windows_open_on_their_day() -> None:
    plain = Stages((60, 30, 14, 3), {})
    assert [plain.owed(d) for d in (61, 60, 15, 14, 4, 3, 0)] == [None, 60, 30, 14, 14, 3, 3]


def _cohort(end: date, today: date, n: int, program: str = "p") -> Bucket:
    b = bucket((program, end.isoformat()), STAGES, end, today, n)
    assert b is not None
    return b


@pytest.mark.parametrize(
    ("n", "days_left", "ceiling", "taken"),
    [
        pytest.param(10, 4, 100, 0, id="small-waits-for-its-day"),
        pytest.param(10, 2, 100, 10, id="small-goes-with-two-runs-to-spare"),
        pytest.param(7737, 4, 3000, 1737, id="peak-starts-early-by-what-will-not-fit"),
        pytest.param(6000, 3, 3000, 3000, id="peak-fills-the-ceiling"),
        pytest.param(7737, 0, 3000, 3000, id="never-above-the-ceiling"),
    ],
)
def test_look_ahead_on_one_end_date(n: int, days_left: int, ceiling: int, taken: int) -> None:
    end = date(2025, 5, 31)
    today = end - timedelta(days=days_left)
    chosen = choose([_cohort(end, today, n)], today, ceiling, ceiling, tolerated=2)
    assert sum(chosen.values()) == taken


def test_most_urgent_first_under_the_ceiling() -> None:
    today = date(2025, 5, 1)
    late_30 = _cohort(date(2025, 5, 20), today, 5, "a")  # 19 days left: stage 30, its day passed, last day 9 May
    last = _cohort(date(2025, 5, 2), today, 5, "b")  # 1 day left: stage 1, last day 2 May
    assert choose([late_30, last], today, 6, 6, tolerated=2) == {last: 5, late_30: 1}


@pytest.mark.parametrize("missed", [(), (4, 3), (3, 2), (2, 1), (1, 0), (36, 35), (30, 29), (10, 9), (7, 6)])
def test_a_shared_end_date_gets_every_stage_with_two_runs_missed(missed: tuple[int, ...]) -> None:
    end, n, ceiling = date(2025, 5, 31), 7737, 3000
    sent = {30: 0, 7: 0, 1: 0}
    for days_left in range(40, -1, -1):
        owed = STAGES.owed(days_left)
        if days_left in missed or owed is None:
            continue
        today = end - timedelta(days=days_left)
        taken = sum(choose([_cohort(end, today, n - sent[owed])], today, ceiling, ceiling, tolerated=2).values())
        assert taken <= ceiling
        sent[owed] += taken
    assert sent == {30: n, 7: n, 1: n}



def test_planning_days_are_the_days_a_run_plans_on() -> None:
    """The days run by run with ``choose``: a small cohort on its stages' own days (the last stage with two runs
    to spare), a peak spread ahead under the ceiling; every stage of every cover once, never above the ceiling."""
    small, peak = date(2025, 7, 31), date(2025, 5, 31)
    days = planning_days({("p", small): 10}, {"p": STAGES}, 100, tolerated=2)
    assert days == {date(2025, 7, 1): 10, date(2025, 7, 24): 10, date(2025, 7, 29): 10}
    days = planning_days({("p", peak): 7737, ("q", small): 10}, {"p": STAGES, "q": STAGES}, 3000, tolerated=2)
    assert sum(days.values()) == 3 * (7737 + 10) and max(days.values()) <= 3000
    assert [days[date(2025, 5, d)] for d in (1, 2, 3)] == [3000, 3000, 1737]  # stage 30 from its own day on
    assert set(days) <= {peak - timedelta(days=d) for d in range(37)} | {small - timedelta(days=d) for d in range(37)}

@pytest.mark.parametrize(
    ("local", "is_open", "opens"),
    [
        pytest.param(datetime(2025, 5, 24, 7, 59), False, datetime(2025, 5, 24, 8, 0), id="07:59-opens-today"),
        pytest.param(datetime(2025, 5, 24, 8, 0), True, datetime(2025, 5, 24, 8, 0), id="08:00-open"),
        pytest.param(datetime(2025, 5, 24, 19, 59, 59), True, datetime(2025, 5, 24, 19, 59, 59), id="19:59:59"),
        pytest.param(datetime(2025, 5, 24, 20, 0), False, datetime(2025, 5, 25, 8, 0), id="20:00-opens-tomorrow"),
        pytest.param(datetime(2025, 5, 31, 23, 30), False, datetime(2025, 6, 1, 8, 0), id="month-end"),
        pytest.param(datetime(2025, 5, 24, 0, 0), False, datetime(2025, 5, 24, 8, 0), id="midnight"),
    ],
)
def test_send_window_in_wib(local: datetime, is_open: bool, opens: datetime) -> None:
    window = Window(WIB)
    now = local.replace(tzinfo=WIB).astimezone(UTC)  # the clock is UTC; the window is WIB
    assert window.is_open(now) is is_open
    assert window.next_open(now) == opens.replace(tzinfo=WIB)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param({"time": "2025-05-24T02:00:00Z"}, datetime(2025, 5, 24, 9, 0, tzinfo=WIB), id="scheduler-utc"),
        pytest.param({"time": "2025-05-24T09:00:00+07:00"}, datetime(2025, 5, 24, 9, 0, tzinfo=WIB), id="offset"),
        pytest.param({"detail": {}}, datetime(2030, 1, 1, tzinfo=UTC), id="no-time-uses-default"),
    ],
)
def test_event_time(event: dict[str, object], expected: datetime) -> None:
    assert event_time(event, default=datetime(2030, 1, 1, tzinfo=UTC)) == expected


def test_run_time_is_nine_wib() -> None:
    assert run_time(date(2025, 5, 24), programs()).astimezone(UTC) == datetime(2025, 5, 24, 2, 0, tzinfo=UTC)


PROGRAMS = """{"timezone": "Asia/Pontianak", "region_prefix": "6172",
  "programs": {"p": {"name": "P", "months": 5, "quota": 1, "default_start": null, "reminder_days": [7, 30]}},
  "reminders": %s}"""


@pytest.mark.parametrize(
    ("reminders", "stage", "expected"),
    [
        pytest.param('{"templates": {"30": "A {name} {end_date}"}}', 30, "A {name} {end_date}", id="per-stage"),
        pytest.param('{"templates": {"30": "A {name}", "default": "D {name}"}}', 7, "D {name}", id="default"),
        pytest.param('{"templates": {"7": "A {name}"}, "program_templates": {"p": {"7": "P {name}"}}}', 7,
                     "P {name}", id="program-override"),
    ],
)
def test_reminder_templates_from_config(reminders: str, stage: int, expected: str) -> None:
    config = load_programs(PROGRAMS % reminders)
    assert config.reminders.template("p", stage) == expected
    assert config.by_id["p"].reminder_days == (30, 7)


@pytest.mark.parametrize(
    "reminders",
    [
        pytest.param('{"templates": {"30": "Halo {nama}"}}', id="unknown-placeholder"),
        pytest.param('{"templates": {"30": "Halo {name} ✓"}}', id="not-gsm7"),
        pytest.param('{"send_window": {"from_hour": 20, "until_hour": 8}}', id="window-backwards"),
    ],
)
def test_bad_reminder_config_fails_at_load(reminders: str) -> None:
    with pytest.raises((TemplateError, ValueError)):
        load_programs(PROGRAMS % reminders)


def test_config_without_reminders_keeps_working() -> None:
    config = load_programs(PROGRAMS.replace(',\n  "reminders": %s', ""))
    assert config.reminders.send_from_hour == 8 and "{name}" in config.reminders.template("p", 30)


@pytest.mark.parametrize(
    "windows",
    [
        pytest.param('{"7": 30}', id="overlaps-the-stage-before"),
        pytest.param('{"7": 5}', id="opens-after-its-day"),
        pytest.param('{"14": 20}', id="not-a-stage"),
    ],
)
def test_bad_reminder_windows_fail_at_load(windows: str) -> None:
    text = PROGRAMS.replace('"reminder_days": [7, 30]', f'"reminder_days": [7, 30], "reminder_windows": {windows}')
    with pytest.raises(ValueError, match="window"):
        load_programs(text % "{}")


def test_shipped_windows_and_tolerance() -> None:
    rentan = programs().by_id["pekerja-rentan"]
    assert rentan.reminder_windows == {30: 36, 7: 10, 1: 4} and programs().reminders.missed_runs_tolerated == 2
