"""DynamoDB: workers' coverage periods, written in batches, idempotently.

Key design (table ``WorkersTable``)::

    pk = "WORKER#<nik>"   sk = "COVERAGE#<program>#<TMT>"     one item per coverage period

One item per accepted row, carrying the worker's details as that list gave
them, so a list of N rows costs N/25 BatchWriteItem requests. The key is the
worker, program and TMT: the same row uploaded again overwrites itself with
the same values (nothing counted twice); a new TMT adds a period; a new phone
number for the same period updates the contact. A worker's current contact is
the one on the item most recently listed (``listed_at``).

Reminders: the sparse index ``ByEndDate`` is keyed by ``remind_key``
("<program>#<first stage in days>") and ``coverage_end``; the planner queries
``remind_key = p#30 AND coverage_end BETWEEN today AND today + window`` and
reads only covers that may owe a stage. The item is never moved: which stage
is owed comes from the days left, and whether it was planned from the
notice's existence (``lindungi.reminders.planner``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from lindungi.config import Programs
from lindungi.rows import Accepted
from lindungi.workers import coverage_sk, remind_key, worker_pk

BATCH_SIZE = 25
_serializer = TypeSerializer()


@dataclass(frozen=True)
class Source:
    """Which upload a row came from: kept on every item, for tracing a record back to its list."""

    bucket: str
    key: str
    version_id: str | None
    sha256: str
    listed_at: str
    """When the list was uploaded (the S3 event time), ISO 8601 UTC."""


def coverage_item(row: Accepted, source: Source, programs: Programs) -> dict[str, Any]:
    program = programs.by_id[row.program]
    item: dict[str, Any] = {
        "pk": worker_pk(row.nik),
        "sk": coverage_sk(row.program, row.coverage_start.isoformat()),
        "type": "coverage",
        "nik": row.nik,
        "name": row.name,
        "program": row.program,
        "coverage_start": row.coverage_start.isoformat(),
        "coverage_end": row.coverage_end.isoformat(),
        "sms_capable": row.sms_capable,
        "warnings": [w.value for w in row.warnings],
        "source_bucket": source.bucket,
        "source_key": source.key,
        "source_sha256": source.sha256,
        "source_line": row.row.to_dict(),
        "listed_at": source.listed_at,
        "stored_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if source.version_id:
        item["source_version"] = source.version_id
    if program.reminder_days:
        item["remind_key"] = remind_key(row.program, program.reminder_days[0])
    optional = {
        "phone": row.phone,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
        "gender": row.gender,
        "address": row.address,
        "kelurahan": row.kelurahan,
        "kecamatan": row.kecamatan,
        "occupation": row.occupation,
    }
    item.update({k: v for k, v in optional.items() if v})
    return item


class StoreError(Exception):
    """Rows could not be stored after every retry; the file is reported ``store_failed`` and retried."""


@dataclass
class WriteStats:
    items: int = 0
    requests: int = 0
    retried_items: int = 0


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter (AWS Architecture Blog), for ``UnprocessedItems``."""

    base: float = 0.05
    cap: float = 5.0
    attempts: int = 10

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


def _write_batch(client: Any, table: str, items: Sequence[dict[str, Any]], backoff: Backoff) -> WriteStats:
    stats = WriteStats(items=len(items))
    requests = [{"PutRequest": {"Item": {k: _serializer.serialize(v) for k, v in item.items()}}} for item in items]
    pending: dict[str, list[dict[str, Any]]] = {table: requests}
    for attempt in range(backoff.attempts):
        stats.requests += 1
        # Throttling *errors* are retried by botocore's own retry mode; this loop handles the
        # items DynamoDB accepted the request for but did not write.
        response = client.batch_write_item(RequestItems=pending)
        pending = response.get("UnprocessedItems") or {}
        if not pending:
            return stats
        stats.retried_items += sum(len(v) for v in pending.values())
        time.sleep(backoff.delay(attempt))
    raise StoreError(f"{sum(len(v) for v in pending.values())} items still unprocessed after {backoff.attempts} tries")


def write_items(
    client: Any,
    table: str,
    items: Iterable[dict[str, Any]],
    *,
    backoff: Backoff = Backoff(),
    threads: int = 4,
) -> WriteStats:
    """BatchWriteItem in batches of 25, a few in flight at once; every item written or ``StoreError``."""
    rows = list(items)
    batches = [rows[i : i + BATCH_SIZE] for i in range(0, len(rows), BATCH_SIZE)]
    total = WriteStats()
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for stats in pool.map(lambda b: _write_batch(client, table, b, backoff), batches):
            total.items += stats.items
            total.requests += stats.requests
            total.retried_items += stats.retried_items
    return total
