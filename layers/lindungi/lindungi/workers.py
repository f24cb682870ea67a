"""The workers table's keys, shared by the stage that writes it (intake) and the one that reads it (reminders).

Key design (table ``WorkersTable``)::

    pk = "WORKER#<nik>"   sk = "COVERAGE#<program>#<TMT>"     one item per coverage period
    pk = "WORKER#<nik>"   sk = "WORKER"                        one item per worker: every cover's period
                                                               (``lindungi.renewal.Period`` tokens) and the
                                                               contact of the latest list, for the sender
    pk = "OFFICE#<office>" sk = "UPLOAD#<time>#<key>"          one item per list an office uploaded under
                                                               ``incoming/<program>/<office>/`` (its riwayat:
                                                               when, by whom, the outcome counts)
    pk = "LOCK#WORKERS"   sk = "LOCK"                          the lease lists take in turn to merge workers'
                                                               items (``intake.store.WorkersLock``)

The sparse index ``ByEndDate`` is keyed by ``remind_key`` ("<program>#<first
stage in days>", set at ingestion) and ``coverage_end``: the planner reads a
partition between today and today + the stage's window, and which stage is
owed comes from the days left (``lindungi.reminders.planner``).
"""

from __future__ import annotations

END_DATE_INDEX = "ByEndDate"
WORKER_SK = "WORKER"


def worker_pk(nik: str) -> str:
    return f"WORKER#{nik}"


def coverage_sk(program: str, start: str) -> str:
    return f"COVERAGE#{program}#{start}"


def remind_key(program: str, stage_days: int) -> str:
    return f"{program}#{stage_days}"


OFFICE_PREFIX = "OFFICE#"
UPLOAD_PREFIX = "UPLOAD#"


def office_pk(office: str) -> str:
    return f"{OFFICE_PREFIX}{office}"


def upload_sk(processed_at: str, key: str) -> str:
    """Sorted by time, newest last: the riwayat reads the partition backwards."""
    return f"{UPLOAD_PREFIX}{processed_at}#{key}"


def worker_key(nik: str) -> dict[str, str]:
    """The key of a worker's own item (every cover's period, the latest contact)."""
    return {"pk": worker_pk(nik), "sk": WORKER_SK}
