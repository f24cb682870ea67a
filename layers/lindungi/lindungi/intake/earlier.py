"""Which workers of a list already had a cover at the same time, before this list was stored.

A clerk files what the report says; a worker already covered by another list may be paid twice, and the
rekap shows it only the next day. So, before the rows are stored, the covers another list may have given
the same workers are read by key: for each accepted worker, every program at each TMT of this list and at
each program's default TMT (``BatchGetItem``, a hundred keys a request, eventually consistent, the few
attributes needed). That finds the usual double listing (two offices, one TMT: one item in the table,
which the second list would overwrite unseen) and the worker in the other program at its usual TMT; a cover
at another TMT is left to the rekap, which reads every period. A cover found is reported when it came from
another upload and its period overlaps the new one; items of this very upload (a retry after a partial
store) are not. Beyond ``MAX_KEYS`` keys (about 15,000 workers), or when DynamoDB refuses, ``find`` answers
None and the page says the list was not checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from lindungi.config import Programs
from lindungi.dynamo import Unprocessed, batch_get
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
        return self.source_key.rsplit("/", 1)[-1]

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


def keys(rows: Sequence[Accepted], programs: Programs) -> list[dict[str, str]]:
    """The coverage keys to read: each worker, each program, at each TMT of the list and each default TMT."""
    defaults = {p.default_start for p in programs.by_id.values() if p.default_start}
    starts = {row.coverage_start for row in rows} | defaults
    niks = dict.fromkeys(row.nik for row in rows)
    return [{"pk": worker_pk(nik), "sk": coverage_sk(program, start.isoformat())}
            for nik in niks for program in programs.by_id for start in sorted(starts)]


def find(client: Any, table: str, rows: Sequence[Accepted], source_key: str,
         programs: Programs) -> list[Earlier] | None:
    """The covers, from other uploads, overlapping the accepted rows' own; None when they were not read (too
    many keys, or DynamoDB refused: the report is worth more than this look-up, which the rekap repeats)."""
    wanted = keys(rows, programs)
    if len(wanted) > MAX_KEYS:
        return None
    if not wanted:
        return []
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
    return found
