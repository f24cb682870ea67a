"""Reading the tables for the rekap: paginated scans, folded page by page, never the whole table at once.

The notices table is read first (its outcomes per program and stage, the
staff opt-outs, the numbers that failed permanently), then the workers
table. A Scan returns the items of one partition key (one worker's
coverages, ``WORKER#<nik>``) together and in sort-key order, so the workers
are folded one NIK at a time as the pages come: what stays in memory is one
page (at most 1 MB, ``PAGE_SIZE`` items) and the read model's counters.

Cost: a Scan is billed by the size of the items read, 0.5 read capacity
unit per 4 KB (eventually consistent), whatever the projection. The workers
table's coverage item is about 0.7 KB; ``make bench`` prints the units per
10,000 workers (``lindungi_dev.bench.rekap``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from lindungi.config import Programs
from lindungi.dynamo import deserialize
from lindungi.rekap.listings import read_listings
from lindungi.rekap.model import Cover, FailedNumber, Rekap
from lindungi.reminders.notices import NOTICE_PREFIX, OPTOUT_PREFIX, UNREACHABLE_PREFIX

PAGE_SIZE = 1000
COVERAGE_PREFIX = "COVERAGE#"

_WORKER_FIELDS = ["pk", "sk", "nik", "name", "program", "coverage_start", "coverage_end", "kecamatan",
                  "kelurahan", "sms_capable", "source_key", "listed_at", "phone"]
_NOTICE_FIELDS = ["pk", "program", "stage", "status", "nik", "e164", "reason", "added_at"]


def _projection(fields: list[str]) -> dict[str, Any]:
    """Every name through a placeholder: ``status``, ``name`` and others are DynamoDB reserved words."""
    names = {f"#f{n}": name for n, name in enumerate(fields)}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}


def _pages(client: Any, table: str, fields: list[str], rekap: Rekap, label: str) -> Iterator[list[dict[str, Any]]]:
    paginator = client.get_paginator("scan")
    pages = paginator.paginate(TableName=table, ReturnConsumedCapacity="TOTAL",
                               PaginationConfig={"PageSize": PAGE_SIZE}, **_projection(fields))
    for page in pages:
        rekap.read[f"{label}_pages"] += 1
        rekap.read[f"{label}_items"] += page.get("Count", 0)
        rekap.read[f"{label}_rcu"] += float((page.get("ConsumedCapacity") or {}).get("CapacityUnits", 0.0))
        yield [deserialize(item) for item in page.get("Items", [])]


def read_notices(client: Any, table: str, rekap: Rekap) -> None:
    for items in _pages(client, table, _NOTICE_FIELDS, rekap, "notices"):
        for item in items:
            pk = str(item["pk"])
            if pk.startswith(NOTICE_PREFIX):
                rekap.add_notice(str(item.get("program", "")), int(item.get("stage", 0)),
                                 str(item.get("status", "")))
            elif pk.startswith(OPTOUT_PREFIX):
                rekap.opt_outs += 1
            elif pk.startswith(UNREACHABLE_PREFIX):
                e164 = str(item.get("e164") or pk.removeprefix(UNREACHABLE_PREFIX))
                rekap.unreachable[e164] = FailedNumber(
                    e164=e164, nik=str(item.get("nik", "")), reason=str(item.get("reason", "")),
                    added_at=str(item.get("added_at", "")),
                )


def read_workers(client: Any, table: str, rekap: Rekap) -> None:
    """Fold each worker's coverages as soon as the scan has moved past their partition key."""
    current_pk: str | None = None
    covers: list[Cover] = []
    for items in _pages(client, table, _WORKER_FIELDS, rekap, "workers"):
        for item in items:
            if not str(item.get("sk", "")).startswith(COVERAGE_PREFIX):
                continue
            if item["pk"] != current_pk:
                rekap.add_worker(covers)
                current_pk, covers = str(item["pk"]), []
            covers.append(Cover.from_item(item))
    rekap.add_worker(covers)


def build(client: Any, workers_table: str, notices_table: str, today: date, programs: Programs,
          reports: tuple[Any, str] | None = None) -> Rekap:
    """The rekap of ``today`` (WIB) from the two tables, and the uploads' reports in ``reports`` (s3, bucket)."""
    rekap = Rekap(today=today, programs=programs)
    if reports is not None:
        rekap.listings = read_listings(*reports)
        rekap.read["reports"] = rekap.listings.reports
    read_notices(client, notices_table, rekap)
    read_workers(client, workers_table, rekap)
    return rekap
