"""The workers table's keys, shared by the stage that writes it (intake) and the one that reads it (reminders).

Key design (table ``WorkersTable``)::

    pk = "WORKER#<nik>"   sk = "COVERAGE#<program>#<TMT>"     one item per coverage period

The sparse index ``ByEndDate`` is keyed by ``remind_key`` ("<program>#<first
stage in days>", set at ingestion) and ``coverage_end``: the planner reads a
partition between today and today + the stage's window, and which stage is
owed comes from the days left (``lindungi.reminders.planner``).
"""

from __future__ import annotations

END_DATE_INDEX = "ByEndDate"


def worker_pk(nik: str) -> str:
    return f"WORKER#{nik}"


def coverage_sk(program: str, start: str) -> str:
    return f"COVERAGE#{program}#{start}"


def remind_key(program: str, stage_days: int) -> str:
    return f"{program}#{stage_days}"
