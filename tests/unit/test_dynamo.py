"""``lindungi.dynamo`` on moto: batches split to DynamoDB's limits, what is left unprocessed retried or named,
conditional writes that answer False instead of raising."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lindungi import dynamo
from lindungi.dynamo import Backoff, GetStats, Unprocessed

TABLE = "things"
OTHER = "others"
NO_WAIT = Backoff(base=0.0, cap=0.0, attempts=3)


@pytest.fixture
def client(aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        ddb = boto3.client("dynamodb")
        for name in (TABLE, OTHER):
            ddb.create_table(
                TableName=name, BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                      {"AttributeName": "sk", "AttributeType": "S"}],
            )
        yield ddb


class Holding:
    """A DynamoDB client that, for its first ``times`` batch calls, does only part of the request (what
    ``keep`` picks) and answers the rest as unprocessed, as DynamoDB does under load; then the real one."""

    def __init__(self, client: Any, leave: Callable[[list[Any]], list[Any]], times: int = 1) -> None:
        self.client, self.leave, self.times = client, leave, times
        self.calls: list[dict[str, Any]] = []

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        self.calls.append(RequestItems)
        if len(self.calls) > self.times:
            return dict(self.client.batch_write_item(RequestItems=RequestItems))
        left = {t: self.leave(r) for t, r in RequestItems.items()}
        done = {t: [x for x in r if x not in left[t]] for t, r in RequestItems.items()}
        if any(done.values()):
            self.client.batch_write_item(RequestItems={t: r for t, r in done.items() if r})
        return {"UnprocessedItems": {t: r for t, r in left.items() if r}}

    def batch_get_item(self, RequestItems: dict[str, dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(RequestItems)
        if len(self.calls) > self.times:
            return dict(self.client.batch_get_item(RequestItems=RequestItems))
        left = {t: r | {"Keys": self.leave(r["Keys"])} for t, r in RequestItems.items()}
        asked = {t: r | {"Keys": [k for k in r["Keys"] if k not in left[t]["Keys"]]} for t, r in RequestItems.items()}
        asked = {t: r for t, r in asked.items() if r["Keys"]}
        response = dict(self.client.batch_get_item(RequestItems=asked)) if asked else {"Responses": {}}
        return response | {"UnprocessedKeys": {t: r for t, r in left.items() if r["Keys"]}}


def thing(n: int, **more: Any) -> dict[str, Any]:
    return {"pk": f"T#{n:03d}", "sk": "A", "n": n, "name": f"thing {n}", **more}


def key(n: int) -> dict[str, str]:
    return {"pk": f"T#{n:03d}", "sk": "A"}


def stored(client: Any, table: str = TABLE) -> dict[str, dict[str, Any]]:
    items = (dynamo.deserialize(i) for p in client.get_paginator("scan").paginate(TableName=table) for i in p["Items"])
    return {i["pk"]: i for i in items}


def test_serialize_and_deserialize_are_each_others_inverse() -> None:
    item = {"pk": "A", "n": 3, "price": Decimal("1.5"), "tags": {"x", "y"}, "row": {"line": 6, "sheet": None},
            "warnings": ["w"], "ok": True, "raw": b"\x00"}
    assert dynamo.serialize(item)["n"] == {"N": "3"}
    assert dynamo.deserialize(dynamo.serialize(item)) == item


def test_batch_write_sends_25_items_a_request(client: Any) -> None:
    stats = dynamo.batch_write(client, TABLE, [thing(n) for n in range(60)])
    assert (stats.items, stats.requests, stats.retried_items) == (60, 3, 0)
    assert stored(client) == {f"T#{n:03d}": thing(n) for n in range(60)}


def test_batch_write_sends_again_the_items_left_unprocessed(client: Any) -> None:
    holding = Holding(client, leave=lambda requests: requests[-7:], times=2)
    stats = dynamo.batch_write(holding, TABLE, [thing(n) for n in range(30)], backoff=NO_WAIT)
    assert (stats.items, stats.requests, stats.retried_items) == (30, 4, 14)  # 25 (7 left), 7 (7 left), 7; 5
    assert [len(c[TABLE]) for c in holding.calls] == [25, 7, 7, 5]
    assert stored(client) == {f"T#{n:03d}": thing(n) for n in range(30)}


def test_batch_write_names_the_items_still_unprocessed_after_every_attempt(client: Any) -> None:
    holding = Holding(client, leave=lambda requests: requests[:2], times=99)
    with pytest.raises(Unprocessed, match="2 items still unprocessed after 3 tries") as raised:
        dynamo.batch_write(holding, TABLE, [thing(n) for n in range(10)], backoff=NO_WAIT)
    assert raised.value.items == [thing(0), thing(1)]
    assert len(holding.calls) == 3
    assert sorted(stored(client)) == [f"T#{n:03d}" for n in range(2, 10)]


def test_batch_get_reads_100_keys_a_request_over_several_tables_each_key_once(client: Any) -> None:
    dynamo.batch_write(client, TABLE, [thing(n) for n in range(150)])
    dynamo.batch_write(client, OTHER, [thing(n, other=True) for n in range(60)])
    stats = GetStats()
    wanted = {TABLE: [key(n) for n in [*range(150), 3, 3]] + [key(999)], OTHER: [key(n) for n in range(60)]}
    found = dynamo.batch_get(client, wanted, stats=stats)
    assert sorted(i["n"] for i in found[TABLE]) == list(range(150))  # the key asked twice read once, 999 absent
    assert {i["pk"]: i for i in found[OTHER]} == {f"T#{n:03d}": thing(n, other=True) for n in range(60)}
    assert (stats.requests, stats.items, stats.unprocessed_keys) == (3, 210, [])  # 211 unique keys


def test_batch_get_reads_only_the_fields_asked_for_in_each_table(client: Any) -> None:
    dynamo.batch_write(client, TABLE, [thing(n, secret="x") for n in range(3)])
    dynamo.batch_write(client, OTHER, [thing(n, secret="y") for n in range(3)])
    found = dynamo.batch_get(client, {TABLE: [key(1)], OTHER: [key(2)]}, fields={TABLE: ["pk", "name", "name"]})
    assert found[TABLE] == [{"pk": "T#001", "name": "thing 1"}]
    assert found[OTHER] == [thing(2, secret="y")]  # a table not named in fields: every attribute


def test_batch_get_asks_again_for_the_keys_left_unprocessed(client: Any) -> None:
    dynamo.batch_write(client, TABLE, [thing(n) for n in range(40)])
    holding = Holding(client, leave=lambda keys: keys[::3], times=1)
    stats = GetStats()
    found = dynamo.batch_get(holding, {TABLE: [key(n) for n in range(40)]}, backoff=NO_WAIT, stats=stats)
    assert sorted(i["n"] for i in found[TABLE]) == list(range(40))
    assert [len(c[TABLE]["Keys"]) for c in holding.calls] == [40, 14]
    assert stats.requests == 2


def test_batch_get_keys_never_processed_raise_or_are_listed_when_not_strict(client: Any) -> None:
    dynamo.batch_write(client, TABLE, [thing(n) for n in range(5)])
    holding = Holding(client, leave=lambda keys: keys[:2], times=99)
    with pytest.raises(Unprocessed, match="2 keys still unprocessed after 3 tries"):
        dynamo.batch_get(holding, {TABLE: [key(n) for n in range(5)]}, backoff=NO_WAIT)
    stats = GetStats()
    found = dynamo.batch_get(holding, {TABLE: [key(n) for n in range(5)]}, backoff=NO_WAIT, strict=False,
                             stats=stats)
    assert sorted(i["n"] for i in found[TABLE]) == [2, 3, 4]
    assert stats.unprocessed_keys == [(TABLE, key(0)), (TABLE, key(1))]


def test_put_new_writes_only_where_no_item_has_the_key(client: Any) -> None:
    assert dynamo.put_new(client, TABLE, thing(1)) is True
    assert dynamo.put_new(client, TABLE, thing(1, name="another")) is False
    assert stored(client) == {"T#001": thing(1)}


def test_update_if_sets_and_removes_when_the_condition_holds_and_answers_false_when_not(client: Any) -> None:
    dynamo.batch_write(client, TABLE, [thing(1, status="queued", claim="c1")])
    was, queued = "#status = :was", {":was": "queued"}
    sent = dynamo.update_if(client, TABLE, key(1), condition=was, values=queued,
                            sets={"status": "sent", "at": "09:00"}, remove=["claim"])
    assert sent is True
    assert stored(client)["T#001"] == thing(1, status="sent", at="09:00")
    assert dynamo.update_if(client, TABLE, key(1), condition=was, values=queued, sets={"status": "failed"}) is False
    assert stored(client)["T#001"]["status"] == "sent"
    absent = dynamo.update_if(client, TABLE, key(2), sets={"status": "sent"}, condition="attribute_exists(pk)")
    assert absent is False and "T#002" not in stored(client)


def test_a_client_error_other_than_a_failed_condition_is_raised(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        dynamo.put_new(client, "no-such-table", thing(1))
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        dynamo.update_if(client, "no-such-table", key(1), sets={"a": 1}, condition="attribute_exists(pk)")
