"""Which workers of a list already had a cover at the same time, before this list was stored.

A clerk files what the report says; a worker already covered by an earlier list of the same program may be
paid twice, and the rekap shows it only the next day. So, before the rows are stored, each accepted worker's
coverage items are read (one ``Query`` of the worker's partition, the few attributes needed, in threads):
an item from another upload whose period overlaps the new one is reported, with its program, period and
file. Items of this very upload (a retry after a partial store) are not. A list of more than
``MAX_WORKERS`` is not looked up (the rekap still finds its double listings); ``find`` answers None.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from lindungi.dynamo import deserialize
from lindungi.rows import Accepted, RowRef
from lindungi.workers import worker_pk

MAX_WORKERS = 20_000
"""Beyond this many accepted rows, no look-up: 20,000 queries in 16 threads take about 10 s on DynamoDB."""
THREADS = 16
FIELDS = ("program", "coverage_start", "coverage_end", "source_key")


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


def _covers(client: Any, table: str, nik: str) -> Iterator[dict[str, Any]]:
    args: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :sk)",
        "ExpressionAttributeValues": {":pk": {"S": worker_pk(nik)}, ":sk": {"S": "COVERAGE#"}},
        "ProjectionExpression": ", ".join(f"#{n}" for n in range(len(FIELDS))),
        "ExpressionAttributeNames": {f"#{n}": name for n, name in enumerate(FIELDS)},
    }
    while True:
        page = client.query(**args)
        yield from (deserialize(item) for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _of(client: Any, table: str, row: Accepted, source_key: str) -> list[Earlier]:
    found: list[Earlier] = []
    for item in _covers(client, table, row.nik):
        start, end = date.fromisoformat(item["coverage_start"]), date.fromisoformat(item["coverage_end"])
        if item.get("source_key") != source_key and start <= row.coverage_end and row.coverage_start <= end:
            found.append(Earlier(row.row, row.nik, row.name, str(item["program"]), start, end,
                                 str(item.get("source_key", ""))))
    return found


def find(client: Any, table: str, rows: Sequence[Accepted], source_key: str) -> list[Earlier] | None:
    """The covers, from other uploads, overlapping the accepted rows' own; None when the list is too long."""
    if len(rows) > MAX_WORKERS:
        return None
    if not rows:
        return []
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [e for found in pool.map(lambda row: _of(client, table, row, source_key), rows) for e in found]
