"""What a delivery receipt costs: AWS requests per receipt, and time per receipt on moto as released.

NoticesTable of template.yaml (moto, in-process) filled with N sent notices, each with the ``SMS#`` pointer the
sender writes beside it; then SNS delivery-status records (delivered, temporary, permanent, unknown, unknown
message, and a notice whose pointer is missing) applied through ``Receipts.apply_all`` in batches as
CloudWatch Logs delivers them. Requests are counted with botocore's own events. The pointers make a receipt
two ``BatchGetItem`` shared by its batch and its own write; only the fallback (no pointer, or no notice:
``unknown_message``) queries the ``ByMessageId`` index, which moto answers by sorting the whole table, so
its time grows with N there (DynamoDB's does not). ``python -m lindungi_dev.bench receipts [--sizes 1000 5000 25000]``.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import boto3

from lindungi.config import programs
from lindungi.dynamo import serialize
from lindungi.reminders.notices import Notice, notice_id, notice_pk, sms_pointer
from lindungi.reminders.receipts import Receipts, parse
from lindungi.settings import ReceiptsSettings
from lindungi_dev.emulator import carrier
from lindungi_dev.emulator.lambdas import environment
from lindungi_dev.emulator.provision import provision
from lindungi_dev.emulator.template import REGION

REASONS = {"delivered": carrier.ACCEPTED, "temporary": carrier.UNREACHABLE,
           "permanent": carrier.INVALID, "unknown": carrier.UNKNOWN}


def _notice(i: int, message_id: str) -> dict[str, Any]:
    nik = f"6172{i:012d}"
    ident = notice_id(nik, "pekerja-rentan", "2025-01-01", 7)
    return {"pk": notice_pk(ident), "type": "notice", "notice_id": ident, "nik": nik, "program": "pekerja-rentan",
            "coverage_start": "2025-01-01", "coverage_end": "2025-05-31", "stage": 7, "status": "sent",
            "phone": f"+62812{i:08d}", "sns_message_id": message_id, "name": "SITI AMINAH",
            "text": "x" * 150, "planned_at": "2025-05-24T02:00:00+00:00"}


def measure(size: int, receipts_each: int = 40) -> dict[str, Any]:
    from moto import mock_aws

    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                   "AWS_ENDPOINT_URL": None}  # in-process moto: no running emulator's endpoint may redirect these
    with environment(credentials), mock_aws():
        stack = provision(boto3.Session(region_name=REGION))
        dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
        table = stack.physical("NoticesTable")
        ids = [str(uuid.uuid4()) for _ in range(size)]
        unpointed = set(ids[-receipts_each:])  # the fallback's notices: written without their pointer
        notices = [(m, _notice(i, m)) for i, m in enumerate(ids)]
        items = [item for m, n in notices
                 for item in ([n] if m in unpointed else [n, sms_pointer(m, Notice.from_item(n))])]
        for start in range(0, len(items), 25):
            dynamodb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": serialize(i)}}
                                                            for i in items[start : start + 25]]})
        receipts = Receipts(dynamodb, ReceiptsSettings(notices_table=table), programs())
        calls: Counter[str] = Counter()
        dynamodb.meta.events.register("before-call.dynamodb", lambda model, **_: calls.update([model.name]))
        per_kind: dict[str, Any] = {}
        at = datetime(2025, 5, 24, 2, 6, tzinfo=UTC)
        picks = iter(ids)
        for kind in [*REASONS, "unknown_message", "no_pointer"]:
            if kind == "no_pointer":
                picks = iter(sorted(unpointed))
            batch = []
            for _ in range(receipts_each):
                message_id = str(uuid.uuid4()) if kind == "unknown_message" else next(picks)
                record = carrier.status_record(message_id, "+6281200000001", kind in ("delivered", "no_pointer"),
                                               REASONS.get(kind, carrier.ACCEPTED), at)
                batch.append(parse(json.dumps(record)))
            calls.clear()
            started = time.perf_counter()
            for start in range(0, len(batch), carrier.BATCH):
                receipts.apply_all(batch[start : start + carrier.BATCH])
            seconds = time.perf_counter() - started
            per_kind[kind] = {"requests_per_receipt": round(sum(calls.values()) / receipts_each, 2),
                              "requests": dict(calls), "ms_per_receipt": round(seconds * 1000 / receipts_each, 1)}
        return {"notices_in_table": size, "receipts_per_batch": min(receipts_each, carrier.BATCH),
                "by_outcome": per_kind}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench receipts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 25000])
    args = parser.parse_args(argv)
    for size in args.sizes:
        result = measure(size)
        print(json.dumps(result))
        print(f"  {size:>6} notices: " + ", ".join(
            f"{kind} {v['requests_per_receipt']} req / {v['ms_per_receipt']} ms"
            for kind, v in result["by_outcome"].items()))
    return 0

