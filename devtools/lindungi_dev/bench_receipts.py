"""What a delivery receipt costs: AWS requests per receipt, and time per receipt on moto as released.

NoticesTable of template.yaml (moto, in-process) filled with N sent notices; then SNS delivery-status records
(delivered, temporary, permanent, unknown, unknown message) applied through ``Receipts``. Requests are counted
with botocore's own events. moto answers every Query by sorting the whole table, so the per-receipt time grows
with N there; DynamoDB's does not. ``python -m lindungi_dev.bench_receipts [--sizes 1000 5000 25000]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import boto3

from lindungi.config import programs
from lindungi.reminders.notices import notice_id, notice_pk, serialize
from lindungi.reminders.receipts import Receipts, parse
from lindungi.settings import ReceiptsSettings

from . import sms_receipts
from .emulator import REGION, environment, provision

REASONS = {"delivered": sms_receipts.ACCEPTED, "temporary": sms_receipts.UNREACHABLE,
           "permanent": sms_receipts.INVALID, "unknown": sms_receipts.UNKNOWN}


def _notice(i: int, message_id: str) -> dict[str, Any]:
    nik = f"6172{i:012d}"
    ident = notice_id(nik, "pekerja-rentan", "2025-01-01", 7)
    return {"pk": notice_pk(ident), "type": "notice", "notice_id": ident, "nik": nik, "program": "pekerja-rentan",
            "coverage_start": "2025-01-01", "coverage_end": "2025-05-31", "stage": 7, "status": "sent",
            "phone": f"+62812{i:08d}", "sns_message_id": message_id, "name": "SITI AMINAH",
            "text": "x" * 150, "planned_at": "2025-05-24T02:00:00+00:00"}


def measure(size: int, receipts_each: int = 40) -> dict[str, Any]:
    from moto import mock_aws

    with mock_aws():
        stack = provision(boto3.Session(region_name=REGION))
        dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
        table = stack.physical("NoticesTable")
        ids = [str(uuid.uuid4()) for _ in range(size)]
        for start in range(0, size, 25):
            dynamodb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": serialize(_notice(i, ids[i]))}}
                                                            for i in range(start, min(size, start + 25))]})
        receipts = Receipts(dynamodb, ReceiptsSettings(notices_table=table), programs())
        calls: Counter[str] = Counter()
        dynamodb.meta.events.register("before-call.dynamodb", lambda model, **_: calls.update([model.name]))
        per_kind: dict[str, Any] = {}
        at = datetime(2025, 5, 24, 2, 6, tzinfo=UTC)
        picks = iter(ids)
        for kind in [*REASONS, "unknown_message"]:
            calls.clear()
            seconds = []
            for _ in range(receipts_each):
                message_id = str(uuid.uuid4()) if kind == "unknown_message" else next(picks)
                record = sms_receipts.status_record(message_id, "+6281200000001", kind == "delivered",
                                                    REASONS.get(kind, sms_receipts.ACCEPTED), at)
                receipt = parse(json.dumps(record))
                started = time.perf_counter()
                receipts.apply(receipt)
                seconds.append(time.perf_counter() - started)
            per_kind[kind] = {"requests_per_receipt": round(sum(calls.values()) / receipts_each, 2),
                              "ms_median": round(statistics.median(seconds) * 1000, 1)}
        return {"notices_in_table": size, "by_outcome": per_kind}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench_receipts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 25000])
    args = parser.parse_args(argv)
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                   "AWS_ENDPOINT_URL": None}
    with environment(credentials):
        for size in args.sizes:
            result = measure(size)
            print(json.dumps(result))
            print(f"  {size:>6} notices: " + ", ".join(
                f"{kind} {v['requests_per_receipt']} req / {v['ms_median']} ms"
                for kind, v in result["by_outcome"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
