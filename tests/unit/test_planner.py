"""The planner's and sender's pure rules: which stage, what comes next, the send window, event time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lindungi.config import load_programs, programs
from lindungi.reminders.notices import TERMINAL, Status, mask_id, message_body, new_notice, notice_id, parse_body
from lindungi.reminders.planner import event_time, next_stage, run_time, stage_for
from lindungi.reminders.sms import TemplateError
from lindungi.reminders.window import Window

STAGES = (30, 7, 1)
WIB = programs().timezone


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        pytest.param(45, None, id="too-early"),
        pytest.param(31, None, id="day-before-first-stage"),
        pytest.param(30, 30, id="first-stage-exact"),
        pytest.param(29, 30, id="first-stage-late"),
        pytest.param(8, 30, id="last-day-of-first-stage"),
        pytest.param(7, 7, id="second-stage-exact"),
        pytest.param(2, 7, id="second-stage-late"),
        pytest.param(1, 1, id="last-stage-exact"),
        pytest.param(0, 1, id="ends-today"),
        pytest.param(-1, None, id="ended"),
    ],
)
def test_stage_for(days_left: int, stage: int | None) -> None:
    assert stage_for(STAGES, days_left) == stage


@pytest.mark.parametrize(
    ("stages", "stage", "following"),
    [
        pytest.param(STAGES, 30, 7, id="30-then-7"),
        pytest.param(STAGES, 7, 1, id="7-then-1"),
        pytest.param(STAGES, 1, None, id="1-is-last"),
        pytest.param((14,), 14, None, id="single-stage"),
        pytest.param((60, 30, 14, 3), 30, 14, id="custom-stages"),
    ],
)
def test_next_stage(stages: tuple[int, ...], stage: int, following: int | None) -> None:
    assert next_stage(stages, stage) == following


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


def test_notice_ids_are_deterministic_and_masked_for_logs() -> None:
    ident = notice_id("6172014509850003", "pekerja-rentan", "2025-01-01", 7)
    assert ident == "6172014509850003#pekerja-rentan#2025-01-01#7"
    assert mask_id(ident) == "6172********0003#pekerja-rentan#2025-01-01#7"
    assert parse_body(message_body(ident)) == ident


def test_new_notice_carries_what_the_sender_needs_and_expires() -> None:
    coverage = {"pk": "WORKER#6172014509850003", "sk": "COVERAGE#pekerja-rentan#2025-01-01",
                "nik": "6172014509850003", "name": "SITI", "program": "pekerja-rentan",
                "coverage_start": "2025-01-01", "coverage_end": "2025-05-31"}
    now = datetime(2025, 5, 24, 2, 0, tzinfo=UTC)
    notice = new_notice(coverage, 7, date(2025, 5, 24), now)
    assert notice["status"] == "planned" and notice["outbox"] == "pending" and notice["days_left"] == 7
    assert notice["pk"] == "NOTICE#6172014509850003#pekerja-rentan#2025-01-01#7"
    assert datetime.fromtimestamp(notice["expires_at"], UTC).date() == date(2025, 5, 31) + timedelta(days=400)


def test_terminal_statuses() -> None:
    assert Status.PLANNED not in TERMINAL and Status.SENDING not in TERMINAL
    assert {Status.SENT, Status.OPTED_OUT, Status.NO_PHONE, Status.NOT_MOBILE, Status.FAILED} <= TERMINAL


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
