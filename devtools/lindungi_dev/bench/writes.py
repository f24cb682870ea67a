"""DynamoDB writes of ingestion: BatchWriteItem requests per stored row (``store.write_items`` on moto).

A list writes its covers and its workers' own items (``store.worker_items``: every cover's period, the latest
number) in one stream, under the workers' lock (``store.merge_workers``: three conditional UpdateItem a list,
the items read again under it), after reading those workers' items (``store.read_workers``, ``BatchGetItem``, 100 a
request) and the covers other lists gave them (``intake.earlier``, by key; on this empty table every worker
is looked up by guessed keys, its costliest case)."""

from __future__ import annotations

import os
from typing import Any

from .common import PROGRAM, print_table, sample_list, verdict

TARGET_WRITES_PER_ROW = 0.1


def run(size: int) -> None:
    """BatchWriteItem requests per stored row, against moto in this process."""
    import boto3
    from moto import mock_aws

    from lindungi.config import programs
    from lindungi.intake import earlier, store
    from lindungi.intake.check import check
    from lindungi_dev.emulator.provision import provision
    from lindungi_dev.emulator.template import REGION

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ[name] = "testing"
    os.environ.pop("AWS_ENDPOINT_URL", None)
    report = check(sample_list(size, "csv").read_bytes(), "workers.csv", PROGRAM)
    source = store.Source(bucket="b", key=f"incoming/{PROGRAM}/workers.csv", version_id=None, sha256="0" * 64,
                          listed_at="2025-01-02T00:00:00Z")
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        stack = provision(session)
        client = session.client("dynamodb")
        calls = {"BatchWriteItem": 0, "BatchGetItem": 0, "UpdateItem": 0}

        def counter(operation: str) -> Any:
            def count(**_: Any) -> None:
                calls[operation] += 1
            return count

        for operation in calls:
            client.meta.events.register(f"before-call.dynamodb.{operation}", counter(operation))
        table = stack.physical("WorkersTable")
        covers = [store.coverage_item(a, source, programs()) for a in report.accepted]
        existing = store.read_workers(client, table, report.accepted)
        earlier.find(client, table, report.accepted, source.key, programs(), existing)
        workers = {row.nik for row in report.accepted}
        stats = store.merge_workers(client, table, report.accepted, source, covers=covers, holder="bench")
        pages = client.get_paginator("scan").paginate(
            TableName=table, Select="COUNT", FilterExpression="begins_with(sk, :c)",
            ExpressionAttributeValues={":c": {"S": "COVERAGE#"}})
        stored = sum(page["Count"] for page in pages)
    per_row = calls["BatchWriteItem"] / stored
    print_table(
        f"DynamoDB writes (covers and workers' items, on moto); target <= {TARGET_WRITES_PER_ROW} requests per "
        "stored row",
        ["list", "stored rows", "workers' items", "BatchWriteItem calls", "WriteStats.requests", "requests/row",
         "BatchGetItem/row", "UpdateItem (the lock)", "verdict"],
        [[f"{size:,}", f"{stored:,}", f"{len(workers):,}", calls["BatchWriteItem"], stats.requests,
          f"{per_row:.4f}", f"{calls['BatchGetItem'] / stored:.4f}", calls["UpdateItem"],
          verdict(per_row <= TARGET_WRITES_PER_ROW)]],
    )
