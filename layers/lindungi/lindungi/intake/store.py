"""DynamoDB: workers' coverage periods, written in batches, idempotently.

Key design (table ``WorkersTable``)::

    pk = "WORKER#<nik>"   sk = "COVERAGE#<program>#<TMT>"     one item per coverage period

One item per accepted row, carrying the worker's details as that list gave
them, so a list of N rows costs N/25 BatchWriteItem requests. The key is the
worker, program and TMT: the same row uploaded again overwrites itself with
the same values (nothing counted twice); a new TMT adds a period; a new phone
number for the same period updates the contact. A worker's current contact is
the one on the item most recently listed (``listed_at``).

Beside the covers, each worker has one item of its own (``worker_items``, sk ``WORKER``): the periods of all
its covers, so that the sender tells a renewed cover (``lindungi.renewal``) from one key it already reads,
and the latest usable mobile number with when it was listed. A list reads the workers' items it touches
(``read_workers``: ``BatchGetItem``, 100 a request; ``intake.earlier`` takes their periods too), merges its
rows in (``worker_items``), and writes them with ``BatchWriteItem`` after its covers: at most two items a
row, 0.08 requests a row. The merge is read-then-write, so two lists merging the same workers at once (ingestion
runs up to ten at a time) would lose one's periods, or keep an older list's number over a newer one: the
merge is done under ``WorkersLock``, one lease item for the whole table, taken by a conditional
``UpdateItem`` (``dynamo.update_if``) and held for the few seconds of one list's read-merge-write. Lists are
still read and validated at once; only their writes take turns, at three requests a list more, and one to
``record_partitions`` (docs/decisions.md).

Reminders: the sparse index ``ByEndDate`` is keyed by ``remind_key``
("<program>#<first stage in days>") and ``coverage_end``; the planner queries
``remind_key = p#30 AND coverage_end BETWEEN today AND today + window`` and
reads only covers that may owe a stage. The item is never moved: which stage
is owed comes from the days left, and whether it was planned from the
notice's existence (``lindungi.reminders.planner``). Before a list's covers are
written, their ``remind_key``s are added to one item (``record_partitions``,
``workers.PARTITIONS_KEY``), so the planner queries the partitions that hold
covers and no other: one ``UpdateItem`` a list.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lindungi.config import Programs
from lindungi.dynamo import (
    BATCH_WRITE_ITEMS,
    Backoff,
    Unprocessed,
    WriteStats,
    batch_get,
    batch_write,
    serialize,
    update_if,
)
from lindungi.renewal import Period
from lindungi.rows import Accepted
from lindungi.workers import (
    PARTITIONS_ATTRIBUTE,
    PARTITIONS_KEY,
    WORKER_SK,
    coverage_sk,
    remind_key,
    worker_key,
    worker_pk,
)


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
    if program.partition is not None:  # also when its reminders are off: the planner reads only stages that are on
        item["remind_key"] = remind_key(row.program, program.partition)
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


ITEM_MAX_BYTES = 400 * 1024
"""DynamoDB's largest item: one over it fails its whole BatchWriteItem, and would on every retry."""


def item_bytes(value: Any, name: str = "") -> int:
    """An item's size as DynamoDB counts it, rounded up: attribute names and values in UTF-8, a number
    at most 21 bytes, 3 bytes more per list or map and 1 per element."""
    size = len(name.encode())
    if isinstance(value, dict):
        return size + 3 + sum(item_bytes(v, str(k)) + 1 for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return size + 3 + sum(item_bytes(v) + 1 for v in value)
    if isinstance(value, bool) or value is None:
        return size + 1
    if isinstance(value, int | float):
        return size + 21
    if isinstance(value, bytes):
        return size + len(value)
    return size + len(str(value).encode())


def fits(item: dict[str, Any]) -> bool:
    """Whether DynamoDB will take ``item`` (checked before writing: a row too large is rejected, named)."""
    return item_bytes(item) <= ITEM_MAX_BYTES


def read_workers(client: Any, table: str, rows: Sequence[Accepted]) -> dict[str, dict[str, Any]]:
    """The own items of the rows' workers, by NIK, read consistently (``BatchGetItem``, 100 a request); a
    worker stored before workers had items of their own has none. ``StoreError`` when DynamoDB leaves keys."""
    try:
        got = batch_get(client, {table: [worker_key(nik) for nik in dict.fromkeys(r.nik for r in rows)]})[table]
    except Unprocessed as error:
        raise StoreError(str(error)) from error
    return {str(item["nik"]): item for item in got if "nik" in item}


def worker_items(rows: Sequence[Accepted], source: Source, existing: Mapping[str, dict[str, Any]]
                 ) -> list[dict[str, Any]]:
    """The workers' own items (``existing``, from ``read_workers``) with these rows merged in, to write whole.

    A row's period replaces the period of the same (program, TMT); its number becomes the worker's contact
    when it is a usable mobile and this list is not older than the one that gave the contact."""
    by_nik: dict[str, list[Accepted]] = {}
    for row in rows:
        by_nik.setdefault(row.nik, []).append(row)
    return [_merged(existing.get(nik), nik, listed, source) for nik, listed in by_nik.items()]


def _merged(old: dict[str, Any] | None, nik: str, rows: Sequence[Accepted], source: Source) -> dict[str, Any]:
    item: dict[str, Any] = dict(old or {"pk": worker_pk(nik), "sk": WORKER_SK, "type": "worker", "nik": nik})
    periods = {(p.program, p.start): p for p in map(Period.of_token, item.get("covers") or [])}
    for row in rows:
        periods[(row.program, row.coverage_start)] = Period(row.program, row.coverage_start, row.coverage_end)
        if row.phone and row.sms_capable and source.listed_at >= str(item.get("phone_listed_at", "")):
            item["phone"], item["phone_listed_at"] = row.phone, source.listed_at
            item.pop("phone_fallback", None)
            if row.phone_fallback:
                item["phone_fallback"] = row.phone_fallback
    item["covers"] = [p.token() for _, p in sorted(periods.items())]
    item["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return item


class StoreError(Exception):
    """Rows could not be stored after every retry; the file is reported ``store_failed`` and retried."""


LOCK_KEY = {"pk": "LOCK#WORKERS", "sk": "LOCK"}
"""The lease item of ``WorkersLock`` in the workers table (not a cover: the rekap reads covers only)."""
LEASE_SECONDS = 300
"""How long a merge may hold the lock before another list may take it (a holder that died frees it then).
A list of 100,000 rows merges in well under a minute (docs/benchmarks.md); the lease is renewed before the
write, so a merge that read slowly still writes with a whole lease ahead."""
WAIT_SECONDS = 360
"""How long a list waits for another's merge: more than a lease, so a dead holder's lock is always taken."""


class WorkersLock:
    """One list at a time merges its rows into workers' own items: a lease (``holder``, ``lease_until`` in
    epoch seconds) on ``LOCK_KEY``, taken when free or expired, renewed and given back by its holder only.

    Every step is one conditional ``UpdateItem`` (``dynamo.update_if``); a list that cannot take it within
    ``WAIT_SECONDS``, or finds it lost before writing, raises ``StoreError`` (the file is retried)."""

    def __init__(self, client: Any, table: str, holder: str, *, lease: int = LEASE_SECONDS,
                 wait: float = WAIT_SECONDS, poll: float = 0.5, clock: Callable[[], float] = time.time) -> None:
        self.client, self.table, self.holder = client, table, holder
        self.lease, self.wait, self.poll, self.clock = lease, wait, poll, clock

    def _take(self, condition: str, values: Mapping[str, Any]) -> bool:
        return update_if(self.client, self.table, LOCK_KEY, condition=condition,
                         sets={"holder": self.holder, "lease_until": int(self.clock()) + self.lease},
                         values=values)

    def acquire(self) -> None:
        give_up = time.monotonic() + self.wait
        while not self._take("attribute_not_exists(#holder) OR #lease_until < :now", {":now": int(self.clock())}):
            if time.monotonic() + self.poll > give_up:
                raise StoreError(f"workers' items still locked by another list after {self.wait:.0f} s")
            time.sleep(random.uniform(0.5, 1.5) * self.poll)

    def renew(self) -> None:
        """A whole lease ahead again; ``StoreError`` when the lock was lost (expired and taken by another)."""
        if not self._take("#holder = :me", {":me": self.holder}):
            raise StoreError("the workers' lock expired and another list took it: merging again on retry")

    def release(self) -> None:
        update_if(self.client, self.table, LOCK_KEY, condition="#holder = :me", remove=["holder", "lease_until"],
                  values={":me": self.holder})

    def __enter__(self) -> WorkersLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def merge_workers(client: Any, table: str, rows: Sequence[Accepted], source: Source, *, holder: str,
                  covers: Sequence[dict[str, Any]] = (), backoff: Backoff = Backoff(), threads: int = 4,
                  lock: WorkersLock | None = None) -> WriteStats:
    """Merge ``rows`` into their workers' own items under the lock: read (consistently), merge, write, in one
    ``BatchWriteItem`` stream with the rows' ``covers`` (a small list costs one request, not two)."""
    with lock or WorkersLock(client, table, holder) as held:
        existing = read_workers(client, table, rows)
        items = worker_items(rows, source, existing)
        held.renew()
        record_partitions(client, table, covers)
        return write_items(client, table, [*covers, *items], backoff=backoff, threads=threads)


def record_partitions(client: Any, table: str, covers: Iterable[Mapping[str, Any]]) -> bool:
    """Add the covers' ``remind_key``s to ``PARTITIONS_KEY`` (one ``UpdateItem``, ``ADD`` to a string set, so
    lists at once each add theirs); before the covers are written, so a partition that holds a cover is always
    named (a failure after it leaves a partition named and empty: one query that finds nothing). True if
    anything was recorded; covers without a ``remind_key`` (no stage configured) record nothing."""
    keys = sorted({str(c["remind_key"]) for c in covers if c.get("remind_key")})
    if not keys:
        return False
    client.update_item(TableName=table, Key=serialize(PARTITIONS_KEY), UpdateExpression="ADD #keys :keys",
                       ExpressionAttributeNames={"#keys": PARTITIONS_ATTRIBUTE},
                       ExpressionAttributeValues=serialize({":keys": set(keys)}))
    return True


def write_items(
    client: Any,
    table: str,
    items: Iterable[dict[str, Any]],
    *,
    backoff: Backoff = Backoff(),
    threads: int = 4,
) -> WriteStats:
    """BatchWriteItem in batches of 25, a few in flight at once; every item written or ``StoreError``.

    Each thread runs ``dynamo.batch_write`` on one batch (its unprocessed items retried with ``backoff``)."""
    rows = list(items)
    batches = [rows[i : i + BATCH_WRITE_ITEMS] for i in range(0, len(rows), BATCH_WRITE_ITEMS)]
    total = WriteStats()
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        try:
            for stats in pool.map(lambda batch: batch_write(client, table, batch, backoff=backoff), batches):
                total.add(stats)
        except Unprocessed as error:
            raise StoreError(str(error)) from error
    return total
