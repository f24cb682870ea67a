"""The planner reads the ``ByEndDate`` partitions intake stored covers under, and only those.

Covers are stored through intake's own write (``store.merge_workers``, which records their partitions); the
planner's Queries are counted with a botocore hook on its client.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

from lindungi.config import Programs, load_programs, programs
from lindungi.intake import store
from lindungi.reminders.planner import Planner, PlanReport, run_time
from lindungi.rows import Accepted, RowRef
from lindungi.settings import PlannerSettings
from lindungi.workers import PARTITIONS_KEY
from tests.builders import END, PROGRAM, Env, count_calls, coverage, niks

SOURCE = store.Source("b", f"incoming/{PROGRAM}/kantor/list.xlsx", None, "0" * 64, "2025-01-05T03:00:00+00:00")


def _rows(count: int, program: str = PROGRAM, end: date = END, first: int = 0) -> list[Accepted]:
    return [Accepted(RowRef(i + 2), nik, "SITI AMINAH", "+6281234567890", program, date(2025, 1, 1), end,
                     sms_capable=True) for i, nik in enumerate(niks(first + count)[first:])]


def _store(env: Env, rows: list[Accepted], config: Programs) -> None:
    """Rows stored as intake stores them: covers and workers' items, the partitions recorded first."""
    covers = [store.coverage_item(row, SOURCE, config) for row in rows]
    store.merge_workers(env.dynamodb, env.workers, rows, SOURCE, holder="test", covers=covers)


def _with_stages(days: list[int]) -> Programs:
    """The shipped programs, ``pekerja-rentan``'s stages (and so its first stage) changed to ``days``."""
    raw = json.loads(resources.files("lindungi").joinpath("programs.json").read_text("utf-8"))
    raw["programs"][PROGRAM]["reminder_days"] = days
    raw["programs"][PROGRAM].pop("reminder_windows", None)
    return load_programs(json.dumps(raw))


def _plan(env: Env, day: date, config: Programs) -> tuple[PlanReport, list[str]]:
    """A planner run on ``day``, and the ``remind_key`` of every Query it made of ``ByEndDate``."""
    planner = Planner(env.dynamodb, env.sqs, env.kms, PlannerSettings.from_env(), config)
    queries = count_calls(planner.dynamodb, "dynamodb.Query")
    report = planner.run(run_time(day, config))
    return report, [q["ExpressionAttributeValues"][":k"]["S"] for q in queries if q.get("IndexName") == "ByEndDate"]


def test_intake_records_the_partition_it_writes(env: Env) -> None:
    _store(env, _rows(3), programs())
    _store(env, _rows(2, "pekerja-sawit"), programs())
    item = env.dynamodb.get_item(TableName=env.workers, Key={k: {"S": v} for k, v in PARTITIONS_KEY.items()})
    assert set(item["Item"]["remind_keys"]["SS"]) == {f"{PROGRAM}#30", "pekerja-sawit#30"}


def test_the_planner_queries_no_empty_stage_partition(env: Env) -> None:
    _store(env, _rows(4), programs())
    report, keys = _plan(env, END - timedelta(days=30), programs())
    assert report.planned == 4
    assert keys == [f"{PROGRAM}#30"], "one partition read: the one intake wrote; none of #7, #1, nor pekerja-sawit's"
    report, keys = _plan(env, END - timedelta(days=7), programs())
    assert (report.planned, report.by_stage) == (4, {"7": 4})
    assert keys == [f"{PROGRAM}#30"]


def test_covers_under_an_earlier_first_stage_are_still_found(env: Env) -> None:
    # Stored while the first stage was 30; then the program's stages became 14, 3 (30 no longer a stage,
    # so no partition of today's configuration holds them).
    _store(env, _rows(3), programs())
    changed = _with_stages([14, 3])
    _store(env, _rows(2, end=END + timedelta(days=1), first=3), changed)  # a later list, stored under #14
    report, keys = _plan(env, END - timedelta(days=14), changed)
    assert sorted(keys) == [f"{PROGRAM}#14", f"{PROGRAM}#30"]
    assert (report.planned, report.by_stage) == (3, {"14": 3}), "the three stored under #30 found and planned"
    report, _ = _plan(env, END - timedelta(days=13), changed)
    assert (report.planned, report.by_stage) == (2, {"14": 2}), "and the later list's, a day later"
    report, _ = _plan(env, END - timedelta(days=3), changed)
    assert report.by_stage == {"3": 3}


def test_a_table_without_the_record_is_read_as_before(env: Env) -> None:
    # Covers written before intake recorded partitions (or by hand): every stage's partition is read.
    env.put(*[coverage(n) for n in niks(2)], coverage("6172014509850012", end=END) | {"remind_key": f"{PROGRAM}#7"})
    report, keys = _plan(env, END - timedelta(days=7), programs())
    assert set(keys) >= {f"{PROGRAM}#30", f"{PROGRAM}#7", f"{PROGRAM}#1"}
    assert report.by_stage == {"7": 3}
