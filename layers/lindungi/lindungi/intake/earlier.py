"""Which workers of a list already had a cover at the same time, before this list was stored.

A clerk files what the report says; a worker already covered by another list may be paid twice, and the
rekap shows it only the next day. So, before the rows are stored, the covers another list may have given
the same workers are read by key. Each worker's own item (``store.read_workers``, which ingestion reads
anyway to merge its rows in) lists the periods of all its covers: the covers whose period overlaps a row's
are the ones read (``BatchGetItem``, a hundred keys a request, eventually consistent, the few attributes
needed), whatever their program or TMT, to learn which upload (``source_key``) gave each. The row's own key
is among them when it was already stored: the usual double listing (two offices, one TMT: one item in the
table, which this list would overwrite unseen). A worker without an item of its own (stored before workers
had one) is looked up as before, by guessed keys: every program at each TMT of this list and at each
program's default TMT; a cover of theirs at another TMT is left to the rekap, which reads every period, and
``Found.guessed`` counts them so that the page can say so. A cover found is reported when it came from
another upload and its period overlaps the new one; items of this very upload (a retry after a partial
store) are not. Beyond ``MAX_KEYS`` keys (about 15,000 workers looked up by guess), or when DynamoDB
refuses, ``find`` answers None and the page says the list was not checked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from lindungi.config import Programs
from lindungi.dynamo import Unprocessed, batch_get
from lindungi.offices import display_name
from lindungi.renewal import Period
from lindungi.rows import Accepted, RowRef
from lindungi.workers import coverage_sk, worker_pk

MAX_KEYS = 100_000
"""Beyond this many keys, no look-up: 1,000 BatchGetItem requests, some 15 s on DynamoDB."""
FIELDS = ("nik", "program", "coverage_start", "coverage_end", "source_key")


@dataclass(frozen=True, slots=True)
class Earlier:
    """A worker of this list already covered at the same time by another upload's cover."""

    row: RowRef
    nik: str
    name: str
    program: str
    """The earlier cover's program: this list's (a possible double payment) or the other one."""
    start: date
    end: date
    source_key: str

    @property
    def file(self) -> str:
        return display_name(self.source_key)

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row.to_dict(), "nik": self.nik, "name": self.name, "program": self.program,
                "coverage_start": self.start.isoformat(), "coverage_end": self.end.isoformat(),
                "source_key": self.source_key}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Earlier:
        row = data["row"]
        return cls(RowRef(row["line"], row.get("sheet"), row.get("page")), data["nik"], data["name"],
                   data["program"], date.fromisoformat(data["coverage_start"]),
                   date.fromisoformat(data["coverage_end"]), data["source_key"])


@dataclass(frozen=True, slots=True)
class Found:
    """What ``find`` read: the covers found, and how many workers were looked up only at guessed TMTs."""

    earlier: list[Earlier]
    guessed: int
    """Workers without an item of their own: looked up at this list's TMTs and the default ones only."""


def keys(rows: Sequence[Accepted], programs: Programs, only: Collection[str] | None = None) -> list[dict[str, str]]:
    """The guessed coverage keys: each worker (of ``only`` when given), each program, at each TMT of the list
    and each default TMT."""
    defaults = {p.default_start for p in programs.by_id.values() if p.default_start}
    starts = {row.coverage_start for row in rows} | defaults
    niks = dict.fromkeys(row.nik for row in rows if only is None or row.nik in only)
    return [{"pk": worker_pk(nik), "sk": coverage_sk(program, start.isoformat())}
            for nik in niks for program in programs.by_id for start in sorted(starts)]


def periods(workers: Mapping[str, Mapping[str, Any]]) -> dict[str, list[Period]]:
    """Every cover's period of each worker that has an item of its own (as ``store.read_workers`` gives them)."""
    return {nik: [Period.of_token(t) for t in item["covers"]]
            for nik, item in workers.items() if isinstance(item.get("covers"), list)}


def exact_keys(rows: Sequence[Accepted], covers: Mapping[str, Sequence[Period]]) -> list[dict[str, str]]:
    """The keys of the covers, among each worker's ``covers``, whose period overlaps one of its rows'."""
    wanted = {(row.nik, p.program, p.start) for row in rows for p in covers.get(row.nik, ())
              if p.start <= row.coverage_end and row.coverage_start <= p.end}
    return [{"pk": worker_pk(nik), "sk": coverage_sk(program, start.isoformat())}
            for nik, program, start in sorted(wanted)]


def find(client: Any, table: str, rows: Sequence[Accepted], source_key: str, programs: Programs,
         workers: Mapping[str, Mapping[str, Any]]) -> Found | None:
    """The covers, from other uploads, overlapping the accepted rows' own; None when they were not read (too
    many keys, or DynamoDB refused: the report is worth more than this look-up, which the rekap repeats).

    ``workers``: the workers' own items by NIK, as read before this list is merged in (``store.read_workers``);
    a worker without one is looked up by the guessed ``keys``."""
    covers = periods(workers)
    guessed = {row.nik for row in rows if row.nik not in covers}
    wanted = exact_keys(rows, covers) + (keys(rows, programs, only=guessed) if guessed else [])
    if len(wanted) > MAX_KEYS:
        return None
    if not wanted:
        return Found([], len(guessed))
    try:
        items = batch_get(client, {table: wanted}, fields={table: FIELDS}, consistent=False)[table]
    except (ClientError, Unprocessed):
        return None
    by_nik: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item.get("source_key") != source_key:
            by_nik.setdefault(str(item["nik"]), []).append(item)
    found: list[Earlier] = []
    for row in rows:
        for item in by_nik.get(row.nik, []):
            start, end = date.fromisoformat(item["coverage_start"]), date.fromisoformat(item["coverage_end"])
            if start <= row.coverage_end and row.coverage_start <= end:
                found.append(Earlier(row.row, row.nik, row.name, str(item["program"]), start, end,
                                     str(item.get("source_key", ""))))
    return Found(found, len(guessed))
