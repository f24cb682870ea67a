"""What the daily rekap costs: DynamoDB read units per 10,000 workers, pages, time, and the memory it holds.

moto (in-process) with the tables of template.yaml. The sample workers are stored as ingestion stores them
(every column of an office list filled in, ``store.coverage_item``), a third of them re-listed with a later
TMT (the self-payers' list); the rekap then reads both tables with ``lindungi.rekap.read``.

Read units are computed as DynamoDB bills a Scan (moto does not): per request, the size of the items read
rounded up to 4 KB, 0.5 unit per 4 KB (eventually consistent), whatever the projection. Item sizes follow
DynamoDB's rules (attribute names + values). ``python -m lindungi_dev.bench rekap``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import boto3

from lindungi import dates, dynamo
from lindungi.config import programs
from lindungi.intake.store import write_items
from lindungi.rekap import read
from lindungi.rekap.model import Rekap
from lindungi_dev import samples
from lindungi_dev.emulator.lambdas import environment
from lindungi_dev.emulator.provision import provision
from lindungi_dev.emulator.template import REGION
from lindungi_dev.samples import coverages

TODAY = date(2025, 8, 20)


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size: each attribute's name plus its value (strings UTF-8, numbers ~1 byte per 2 digits)."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, int | float | Decimal):
        return 1 + math.ceil(len(str(value).lstrip("-").replace(".", "")) / 2)
    if isinstance(value, list):
        return 3 + sum(1 + _value_bytes(v) for v in value)
    if isinstance(value, dict):
        return 3 + sum(1 + len(k.encode()) + _value_bytes(v) for k, v in value.items())
    raise TypeError(type(value))


def sample_items(n_workers: int) -> list[dict[str, Any]]:
    sawit = round(n_workers * 767 / 8504)
    people = samples.workers(n_workers - sawit, "pekerja-rentan") + samples.workers(sawit, "pekerja-sawit", seed=2)
    people += [replace(w, tmt="01-06-2025") for w in people[: n_workers - sawit : 3]]  # self-payers, later TMT
    return [coverages.sample_coverage(w, line=line, key=f"Daftar {w.kecamatan}.xlsx", version_id="v1",
                                      listed_at=f"{dates.parse(w.tmt)}T02:00:00+00:00",
                                      sheet=f"Kec. {w.kecamatan}", full=True)
            for line, w in enumerate(people, start=6)]


def _read_units(pages: list[dict[str, Any]]) -> float:
    """Read units of a paginated Scan as DynamoDB bills it: each request's item bytes rounded up to 4 KB, x 0.5."""
    units = 0.0
    for page in pages:
        size = sum(item_bytes(dynamo.deserialize(i)) for i in page["Items"])
        units += 0.5 * max(1, math.ceil(size / 4096))
    return units


class _Replay:
    """The scan pages moto returned, served again without moto: the fold is timed and traced alone."""

    def __init__(self, pages: dict[str, list[dict[str, Any]]]) -> None:
        self.pages = pages

    def get_paginator(self, _: str) -> _Replay:
        return self

    def paginate(self, TableName: str, **_: Any) -> list[dict[str, Any]]:
        return self.pages[TableName]


def _scan(client: Any, table: str) -> list[dict[str, Any]]:
    paginator = client.get_paginator("scan")
    return list(paginator.paginate(TableName=table, PaginationConfig={"PageSize": read.PAGE_SIZE}))


def _fold(replay: _Replay, workers: str, notices: str) -> Rekap:
    rekap = Rekap(today=TODAY, programs=programs())
    read.read_notices(replay, notices, rekap)
    read.read_workers(replay, workers, rekap)
    return rekap


def run(n_workers: int = 10_000) -> dict[str, Any]:
    from moto import mock_aws

    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": None}
    with environment(env), mock_aws():
        session = boto3.Session(region_name=REGION)
        stack = provision(session)
        dynamodb = session.client("dynamodb")
        items = sample_items(n_workers)
        workers, notices = stack.physical("WorkersTable"), stack.physical("NoticesTable")
        write_items(dynamodb, workers, items, threads=1)
        replay = _Replay({workers: _scan(dynamodb, workers), notices: _scan(dynamodb, notices)})
    started = time.perf_counter()
    rekap = _fold(replay, workers, notices)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    _fold(replay, workers, notices)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sizes = sorted(item_bytes(i) for i in items)
    units = _read_units(replay.pages[workers])
    renewal = rekap.renewal()
    return {
        "workers": rekap.workers,
        "coverage_items": len(items),
        "median_item_bytes": sizes[len(sizes) // 2],
        "scan_pages": len(replay.pages[workers]),
        "read_units": units,
        "read_units_per_10k_workers": round(units * 10_000 / rekap.workers, 1),
        "renewed_of_ended": f"{renewal.renewed}/{renewal.ended}",
        "fold_seconds": round(seconds, 2),
        "fold_peak_mb": round(peak / 2**20, 1),
    }


def main(argv: Sequence[str]) -> None:
    argparse.ArgumentParser(prog="python -m lindungi_dev.bench rekap", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    print(json.dumps(run(), indent=1))

