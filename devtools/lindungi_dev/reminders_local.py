"""The reminder days of the local demo: travel to each day at 09:00 WIB, run the planner, drain the queue.

The planner is invoked as EventBridge Scheduler would (``scheduled_event_for``), the sender as the SQS
event source mapping would (``Emulator.drain_queue``); the clock is moved with time-machine, so the
sender's own clock (the send window, leases) sees the simulated day too. Outcomes are read back from
NoticesTable, and the texts from moto, which records every SMS it was asked to publish.
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date
from pathlib import Path
from typing import Any

import time_machine

from lindungi.config import programs
from lindungi.reminders.notices import deserialize
from lindungi.reminders.planner import run_time

from .emulator import ACCOUNT, ROOT, Emulator

EVENT = ROOT / "events" / "planner-schedule.json"
_undo_log = threading.local()


@contextlib.contextmanager
def fast_moto() -> Iterator[None]:
    """moto's DynamoDB made fast enough for 8,504 workers x 3 stages, with the same answers.

    - TransactWriteItems: moto backs up each table a transaction touches with ``copy.deepcopy`` to roll a
      cancelled one back, so a planner run over N coverages costs O(N x table size): hours and gigabytes
      for the sample. Here only the items the transaction names are copied, and restored if it is
      cancelled: the same outcome (all or nothing, the same errors) in O(1).
    - A Query walks (and sorts) the whole table to find one partition, then filters and sorts its own
      results again; here it is handed only the items of the partition (and BETWEEN range) it asks for,
      unsorted. Its answer, order, Count and ScannedCount are unchanged.
    - SendMessage computes every attribute of the queue (counting its messages) to read one flag; here it
      reads just that flag.
    Dev tooling only (benchmark, local demo); the tests use moto as it is.
    """
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items
    sorted_all_items = Table.all_items

    original_query = Table.query

    def all_items(self: Table) -> list[Any]:
        wanted = getattr(_undo_log, "partition", None)
        if wanted is not None and wanted[0] is None:  # a base-table Query: one partition
            by_range = self.items.get(wanted[1], {})
            return list(by_range.values()) if self.range_key_attr else [by_range] if by_range else []
        if self.range_key_attr:
            items = [item for by_range in self.items.values() for item in by_range.values()]
        else:
            items = list(self.items.values())
        if wanted is not None:  # an index Query: only items carrying that partition key (the index is sparse)
            name, value = wanted
            items = [i for i in items if (v := i.attrs.get(name)) is not None and v.value == value]
            between = getattr(_undo_log, "range", None)
            if between is not None:
                key, low, high = between
                items = [i for i in items if (v := i.attrs.get(key)) is not None and low <= v.value <= high]
        return items

    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        index_name = args[7] if len(args) > 7 else kwargs.get("index_name")
        conditions = kwargs.get("hash_key_conditions") or []
        if index_name and len(conditions) == 1:
            _undo_log.partition = (conditions[0][0], conditions[0][1].value)
            ranges = kwargs.get("range_key_conditions") or []
            if len(ranges) == 1 and ranges[0][1] == "BETWEEN":  # only the items in range: sorted, then re-checked
                name, _, (low, high) = ranges[0]
                _undo_log.range = (name, low.value, high.value)
        elif not index_name and args and args[0] is not None:
            _undo_log.partition = (None, args[0])
        try:
            return original_query(self, *args, **kwargs)
        finally:
            _undo_log.partition = _undo_log.range = None

    def table_deepcopy(self: Table, memo: dict[int, Any]) -> Table:
        if getattr(_undo_log, "active", False):
            return self  # the undo log below does the backing up
        clone: Any = Table.__new__(Table)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, copy.deepcopy(value, memo))
        return clone

    def transact(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        undo = []
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = self.tables.get(op.get("TableName", ""))
            source = op.get("Key") or op.get("Item") or {}
            if table is None or table.hash_key_attr not in source:
                continue
            hash_key = DynamoType(source[table.hash_key_attr])
            range_key = DynamoType(source[table.range_key_attr]) if table.range_key_attr else None
            undo.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
        _undo_log.active = True
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(undo):
                if item is None:
                    table.delete_item(hash_key, range_key)
                elif range_key is not None:
                    table.items[hash_key][range_key] = item
                else:
                    table.items[hash_key] = item  # type: ignore[assignment]
            raise
        finally:
            _undo_log.active = False

    from moto.sqs.models import Queue, SQSBackend

    original_send = SQSBackend.send_message
    queue_attributes = Queue.attributes

    def send_message(self: SQSBackend, *args: Any, **kwargs: Any) -> Any:
        _undo_log.sending = True  # a send only reads ContentBasedDeduplication from the queue's attributes
        try:
            return original_send(self, *args, **kwargs)
        finally:
            _undo_log.sending = False

    def attributes(self: Queue) -> dict[str, Any]:
        if getattr(_undo_log, "sending", False):
            return {"ContentBasedDeduplication": getattr(self, "content_based_deduplication", None)}
        return queue_attributes.fget(self)  # type: ignore[attr-defined]

    SQSBackend.send_message = send_message  # type: ignore[method-assign]
    Queue.attributes = property(attributes)  # type: ignore[assignment,method-assign]
    Table.__deepcopy__ = table_deepcopy  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]
        Table.all_items = sorted_all_items  # type: ignore[method-assign]
        Table.query = original_query  # type: ignore[method-assign]
        SQSBackend.send_message = original_send  # type: ignore[method-assign]
        Queue.attributes = queue_attributes  # type: ignore[method-assign]
        del Table.__deepcopy__  # type: ignore[attr-defined]


def scheduled_event_for(day: date, hour: int = 9, sample: Path = EVENT) -> dict[str, Any]:
    """The planner's scheduled event for ``day`` at ``hour``:00 WIB (the sample event with its ``time`` set)."""
    event: dict[str, Any] = json.loads(sample.read_text(encoding="utf-8"))
    event["time"] = run_time(day, programs(), hour).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


def published_sms(region: str) -> list[tuple[str, str]]:
    """(phone, text) of every SMS moto was asked to publish, in order (moto runs in this process)."""
    from moto.sns.models import sns_backends

    return list(sns_backends[ACCOUNT][region].sms_messages.values())


def notice_outcomes(emu: Emulator) -> Counter[str]:
    """Notices by status. A Scan, acceptable for a local summary; the planner itself never scans."""
    dynamodb = emu.client("dynamodb")
    counts: Counter[str] = Counter()
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=emu.stack.physical("NoticesTable"), ProjectionExpression="pk, #s",
        ExpressionAttributeNames={"#s": "status"},
    )
    for page in pages:
        for raw in page.get("Items", []):
            item = deserialize(raw)
            if item["pk"].startswith("NOTICE#"):
                counts[item["status"]] += 1
    return counts


def run_reminders(emu: Emulator, days: list[date],
                  on_day: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Each day in turn: the 09:00 WIB planner run, then every queued notice through the sender."""
    before = len(published_sms(emu.stack.region))
    per_day = []
    for day in sorted(set(days)):
        with time_machine.travel(run_time(day, programs()), tick=True), fast_moto():
            report = emu.invoke("PlannerFunction", scheduled_event_for(day))
            drained = emu.drain_queue("ReminderQueue", "SenderFunction")
            receipts = emu.deliver_receipts()  # the carrier's answers, through ReceiptsFunction
        per_day.append({"day": day.isoformat(), "planned": report["planned"], "by_stage": report["by_stage"],
                        "ceiling_reached": report["ceiling_reached"], "retried": drained["failed"],
                        "receipts": receipts})
        if on_day:
            on_day(per_day[-1])
    outcomes = notice_outcomes(emu)
    sms = published_sms(emu.stack.region)[before:]
    skipped = sum(n for status, n in outcomes.items() if status in {"no_phone", "not_mobile", "superseded", "expired"})
    return {
        "outcomes": dict(outcomes),
        "sent": sum(outcomes.get(s, 0) for s in ("sent", "delivered", "carrier_failed")),  # an SMS went out
        "carrier_retried": sum(d["receipts"].get("retry_planned", 0) for d in per_day),
        "opted_out": outcomes.get("opted_out", 0),
        "skipped": skipped,
        "failed": outcomes.get("failed", 0),
        "sms_published": len(sms),
        "sample_texts": [text for _, text in sms[:: max(1, len(sms) // 3)]][:3],
        "per_day": per_day,
    }
