"""Two lists of one worker stored at once: the worker's own item keeps both lists' periods and the number of
the list listed last, whichever list wrote last (``store.merge_workers`` under ``store.WorkersLock``)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import boto3
import pytest

from lindungi.dynamo import deserialize
from lindungi.intake import store
from lindungi.renewal import Period
from lindungi.rows import Accepted, RowRef
from lindungi.workers import worker_key
from lindungi_dev.emulator.template import REGION, Stack

NIK = "6172014509850003"
FIRST = Accepted(RowRef(2), NIK, "SITI AMINAH", "+6281200000000", "pekerja-rentan", date(2025, 1, 1),
                 date(2025, 5, 31), sms_capable=True)
NEWER = Accepted(RowRef(2), NIK, "SITI AMINAH", "+6281311112222", "pekerja-sawit", date(2025, 6, 1),
                 date(2026, 5, 31), sms_capable=True)
OLDER = Accepted(RowRef(2), NIK, "SITI AMINAH", "+6281399990000", "bpu-mandiri", date(2025, 6, 10),
                 date(2025, 8, 31), sms_capable=True)


def _source(name: str, listed_at: str) -> store.Source:
    return store.Source("b", f"incoming/x/{name}.csv", None, name.ljust(64, "0"), listed_at)


def _worker(table: str) -> dict[str, Any]:
    item = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=table, Key={k: {"S": v} for k, v in worker_key(NIK).items()}, ConsistentRead=True)["Item"]
    return deserialize(item)


def test_two_lists_merged_at_once_keep_every_period_and_the_latest_listed_number(
        aws: Stack, serialised_moto: None) -> None:
    """The older list (listed 10 May) reads the worker's item first and would write last; the newer one (20 May)
    runs in between. Without the lock the older list's write drops the newer list's period and number."""
    table = aws.physical("WorkersTable")
    store.merge_workers(boto3.client("dynamodb", region_name=REGION), table, [FIRST],
                        _source("first", "2025-01-05T03:00:00Z"), holder="first")
    older_read, newer_written = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def client(after: str, signal: threading.Event, then_wait: threading.Event | None = None) -> Any:
        dynamodb = boto3.client("dynamodb", region_name=REGION)

        def hook(**_: Any) -> None:
            signal.set()
            if then_wait is not None:
                then_wait.wait(timeout=2.0)  # long enough for the newer list to write, were it let through
        dynamodb.meta.events.register(f"after-call.dynamodb.{after}", hook)
        return dynamodb

    def merge(dynamodb: Any, row: Accepted, source: store.Source) -> None:
        try:
            store.merge_workers(dynamodb, table, [row], source, holder=source.sha256,
                                lock=store.WorkersLock(dynamodb, table, source.sha256, poll=0.1))
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    older = threading.Thread(target=merge, args=(client("BatchGetItem", older_read, newer_written), OLDER,
                                                 _source("older", "2025-05-10T03:00:00Z")))
    newer = threading.Thread(target=merge, args=(client("BatchWriteItem", newer_written), NEWER,
                                                 _source("newer", "2025-05-20T03:00:00Z")))
    older.start()
    assert older_read.wait(timeout=10)
    newer.start()
    for thread in (older, newer):
        thread.join(timeout=30)
    assert not errors, errors
    item = _worker(table)
    assert sorted(Period.of_token(t).program for t in item["covers"]) == ["bpu-mandiri", "pekerja-rentan",
                                                                          "pekerja-sawit"]
    assert (item["phone"], item["phone_listed_at"]) == (NEWER.phone, "2025-05-20T03:00:00Z")
    assert "holder" not in deserialize(boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=table, Key={k: {"S": v} for k, v in store.LOCK_KEY.items()})["Item"])


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("later", "taken"),
    [
        pytest.param(0, False, id="held-by-a-live-list"),
        pytest.param(store.LEASE_SECONDS - 1, False, id="still-within-its-lease"),
        pytest.param(store.LEASE_SECONDS + 1, True, id="lease-expired-holder-died"),
    ],
)
def test_the_lock_is_taken_only_when_free_or_expired(aws: Stack, later: int, taken: bool) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = aws.physical("WorkersTable")
    clock = Clock(1_760_000_000.0)
    store.WorkersLock(dynamodb, table, "dead", clock=clock).acquire()
    clock.now += later
    waiter = store.WorkersLock(dynamodb, table, "next", clock=clock, wait=0.2, poll=0.05)
    if taken:
        waiter.acquire()
        with pytest.raises(store.StoreError):  # the first holder, back, finds it lost before writing
            store.WorkersLock(dynamodb, table, "dead", clock=clock).renew()
    else:
        with pytest.raises(store.StoreError, match="still locked"):
            waiter.acquire()
    holder, other = ("next", "dead") if taken else ("dead", "next")
    store.WorkersLock(dynamodb, table, other, clock=clock).release()  # not the holder: gives nothing back
    lock = deserialize(dynamodb.get_item(TableName=table, Key={k: {"S": v} for k, v in store.LOCK_KEY.items()})
                       ["Item"])
    assert lock["holder"] == holder
