"""Which uploads listed each worker: read from the reports in the bucket, for the double listings.

The workers table keeps one item per (worker, program, TMT): when two
kecamatan offices list the same worker with the same TMT, the second listing
overwrites the first and the table alone cannot tell. Every upload's report
(``reports/<program>/<name>.json``) still lists its accepted rows, so the
rekap reads them: one report at a time, one row a line as ``Report.json_chunks``
writes them (a report in another layout is parsed whole). A report of content
already processed under another name (``duplicate_of``) stored nothing and
is skipped.

What stays in memory is one small tuple per worker listed (NIK, file, sheet,
program, period), and the list of listings only for workers listed more
than once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lindungi.intake.keys import REKAP, REPORTS
from lindungi.offices import display_name


@dataclass(frozen=True, slots=True)
class Listed:
    key: str
    sheet: str
    program: str
    start: date
    end: date

    @property
    def file(self) -> str:
        return display_name(self.key).removesuffix(".json")

    def overlaps(self, other: Listed) -> bool:
        return self.program == other.program and self.start <= other.end and other.start <= self.end


@dataclass
class Listings:
    first: dict[str, Listed] = field(default_factory=dict)
    more: dict[str, list[Listed]] = field(default_factory=dict)
    reports: int = 0
    skipped: int = 0

    def add(self, nik: str, listed: Listed) -> None:
        seen = self.first.setdefault(nik, listed)
        if seen is not listed and seen.key != listed.key:
            self.more.setdefault(nik, [seen]).append(listed)

    def twice(self, nik: str) -> list[Listed]:
        """The listings of ``nik`` from different uploads whose periods overlap in one program (maybe paid twice)."""
        listings = self.more.get(nik, [])
        return [a for a in listings if any(b.key != a.key and a.overlaps(b) for b in listings)]


def _rows(lines: Iterable[bytes]) -> Iterator[dict[str, Any]] | None:
    """The accepted rows of a report written one row a line; None when the layout is another."""
    section, rows, duplicate = "", [], False
    for raw in lines:
        line = raw.decode("utf-8").strip()
        if line in ("{", "}", "]", "],", ""):
            continue
        if line.startswith('"') and '": ' in line:
            section = line.split('"', 2)[1]
            duplicate = duplicate or (section == "duplicate_of" and not line.endswith("null,")
                                      and not line.endswith("null"))
        elif line.startswith("{") and section == "accepted":
            rows.append(json.loads(line.rstrip(",")))
        elif line.startswith("{") and not section:
            return None  # not the line-per-row layout
    return iter([]) if duplicate else iter(rows)


def _listed(key: str, row: dict[str, Any]) -> Listed:
    where = row.get("row") or {}
    sheet = str(where.get("sheet") or (f"hal. {where['page']}" if where.get("page") else ""))
    return Listed(key=key, sheet=sheet, program=str(row["program"]),
                  start=date.fromisoformat(row["coverage_start"]), end=date.fromisoformat(row["coverage_end"]))


def _report_rows(s3: Any, bucket: str, key: str) -> Iterator[dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    rows = _rows(body.iter_lines())
    if rows is not None:
        return rows
    report = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return iter([] if report.get("duplicate_of") else report.get("accepted") or [])


def read_listings(s3: Any, bucket: str) -> Listings:
    """Every report's accepted rows, by NIK. Reports of the rekap itself and non-JSON objects are not read."""
    listings = Listings()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=REPORTS):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            if not key.endswith(".json") or key.startswith(REKAP):
                continue
            listings.reports += 1
            for row in _report_rows(s3, bucket, key):
                if row.get("nik") and row.get("program"):
                    listings.add(str(row["nik"]), _listed(key, row))
    return listings
