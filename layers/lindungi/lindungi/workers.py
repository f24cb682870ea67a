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
    pk = "INDEX#ByEndDate" sk = "PARTITIONS"                   every ``remind_key`` intake stored covers under
                                                               (``remind_keys``, a string set): the partitions
                                                               the planner reads (``PARTITIONS_KEY``)

The sparse index ``ByEndDate`` is keyed by ``remind_key`` ("<program>#<first
stage in days>", set at ingestion) and ``coverage_end``: the planner reads a
partition between today and today + the stage's window, and which stage is
owed comes from the days left (``lindungi.reminders.planner``). Intake adds a
cover's ``remind_key`` to ``PARTITIONS_KEY`` before it writes the cover, so the
planner queries the partitions that hold covers, and only those: the first
stage's, and an earlier first stage's after the configuration changed.
"""

from __future__ import annotations

from collections.abc import Iterable

END_DATE_INDEX = "ByEndDate"
WORKER_SK = "WORKER"
PARTITIONS_KEY = {"pk": f"INDEX#{END_DATE_INDEX}", "sk": "PARTITIONS"}
"""The item naming every ``remind_key`` covers were stored under (not a cover: no ``remind_key`` of its own)."""
PARTITIONS_ATTRIBUTE = "remind_keys"
"""Its string set, grown by intake (``ADD``, one ``UpdateItem`` a list), never shrunk."""


WORKER_PREFIX = "WORKER#"


def worker_pk(nik: str) -> str:
    return f"{WORKER_PREFIX}{nik}"


def coverage_sk(program: str, start: str) -> str:
    return f"COVERAGE#{program}#{start}"


def coverage_names(pk: str, sk: str) -> dict[str, str]:
    """A cover's ``nik``, ``program`` and ``coverage_start``, as its key holds them (``worker_pk``, ``coverage_sk``):
    a reader that has the key need not ask for them."""
    kind, program, start = sk.split("#")
    if kind != "COVERAGE" or not pk.startswith(WORKER_PREFIX):
        raise ValueError(f"not a cover's key: {sk}")
    return {"nik": pk.removeprefix(WORKER_PREFIX), "program": program, "coverage_start": start}


def remind_key(program: str, stage_days: int) -> str:
    return f"{program}#{stage_days}"


def partitions_of(program: str, keys: Iterable[str]) -> tuple[int, ...]:
    """The stages (days) of ``program``'s ``remind_key``s among ``keys``, most distant first."""
    prefix = f"{program}#"
    days = {k.removeprefix(prefix) for k in keys if k.startswith(prefix)}
    return tuple(sorted((int(d) for d in days if d.isdigit()), reverse=True))


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
