"""DynamoDB as the layer speaks it: one serialiser, one batch read, one batch write, two conditional writes.

Every DynamoDB call of the layer goes through here or is a plain one-off call (a ``Query`` paginator, a
single ``GetItem``). The low-level client is used throughout (not the resource), so a call costs exactly the
requests it names and the items are plain dicts:

- ``serialize`` / ``deserialize``: a plain item to DynamoDB's typed JSON and back.
- ``batch_get``: ``BatchGetItem`` of any number of keys over several tables, 100 keys a request, keys
  DynamoDB left unprocessed retried with backoff; ``Unprocessed`` if some are still left (or, with
  ``strict=False``, what was read).
- ``batch_write``: ``BatchWriteItem`` of any number of puts, 25 a request, unprocessed items retried with
  backoff; ``Unprocessed`` naming the items still left.
- ``put_new``: a ``PutItem`` only if no item has that key; False when one has.
- ``update_if``: an ``UpdateItem`` under a condition; False when the condition did not hold.

Throttling *errors* are retried by botocore's own retry mode (``AWS_RETRY_MODE=standard`` in the
template); the loops here handle only what DynamoDB accepted the request for but did not do.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

BATCH_GET_KEYS = 100
"""Keys in one ``BatchGetItem`` request (DynamoDB's limit)."""
BATCH_WRITE_ITEMS = 25
"""Items in one ``BatchWriteItem`` request (DynamoDB's limit)."""

_ser = TypeSerializer()
_de = TypeDeserializer()


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in item.items()}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


class Unprocessed(Exception):
    """DynamoDB still left keys or items unprocessed after every retry."""

    def __init__(self, message: str, items: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(message)
        self.items = list(items)
        """For ``batch_write``: the items (plain) that were not written."""


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter (AWS Architecture Blog), for unprocessed keys and items."""

    base: float = 0.05
    cap: float = 5.0
    attempts: int = 10

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


@dataclass
class WriteStats:
    items: int = 0
    requests: int = 0
    retried_items: int = 0

    def add(self, other: WriteStats) -> None:
        self.items += other.items
        self.requests += other.requests
        self.retried_items += other.retried_items


@dataclass
class GetStats:
    requests: int = 0
    items: int = 0
    unprocessed_keys: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def batch_get(
    client: Any,
    wanted: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    fields: Mapping[str, Sequence[str]] | None = None,
    consistent: bool = True,
    backoff: Backoff = Backoff(cap=1.0, attempts=8),
    strict: bool = True,
    stats: GetStats | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """``BatchGetItem`` of these keys per table, 100 a request; the items found, per table.

    ``fields``: per table, the attributes to read (all when a table is not named). A key asked twice is read
    once. Keys DynamoDB leaves unprocessed are asked again with backoff; if some are still left after every
    attempt, ``Unprocessed`` (``strict``) or they are left out of the answer and listed in
    ``stats.unprocessed_keys`` (``strict=False``: for callers to whom a key not read is as good as absent)."""
    stats = stats if stats is not None else GetStats()
    found: dict[str, list[dict[str, Any]]] = {table: [] for table in wanted}
    unique = list({(t, tuple(sorted(k.items()))): (t, dict(k)) for t, ks in wanted.items() for k in ks}.values())
    for start in range(0, len(unique), BATCH_GET_KEYS):
        request: dict[str, Any] = {}
        for table, key in unique[start : start + BATCH_GET_KEYS]:
            request.setdefault(table, _get_request(table, fields, consistent))["Keys"].append(serialize(key))
        for attempt in range(backoff.attempts):
            stats.requests += 1
            response = client.batch_get_item(RequestItems=request)
            for table, items in response.get("Responses", {}).items():
                found[table] += [deserialize(i) for i in items]
                stats.items += len(items)
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(backoff.delay(attempt))
        if request:
            left = [(t, deserialize(k)) for t, r in request.items() for k in r["Keys"]]
            if strict:
                raise Unprocessed(f"{len(left)} keys still unprocessed after {backoff.attempts} tries")
            stats.unprocessed_keys += left
    return found


def _get_request(table: str, fields: Mapping[str, Sequence[str]] | None, consistent: bool) -> dict[str, Any]:
    request: dict[str, Any] = {"Keys": [], "ConsistentRead": consistent}
    if fields and table in fields:
        names = {f"#{f}": f for f in dict.fromkeys(fields[table])}
        request |= {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    return request


def batch_write(
    client: Any,
    table: str,
    items: Iterable[Mapping[str, Any]],
    *,
    backoff: Backoff = Backoff(),
) -> WriteStats:
    """``BatchWriteItem`` (puts) of these items, 25 a request, one request after another.

    Items DynamoDB leaves unprocessed are sent again with backoff; ``Unprocessed`` (with the items not
    written, as plain dicts) when some are still left after every attempt. Callers that want requests in
    flight at once run several ``batch_write`` of 25 in a thread pool (``intake.store.write_items``)."""
    stats = WriteStats()
    rows = list(items)
    for start in range(0, len(rows), BATCH_WRITE_ITEMS):
        chunk = rows[start : start + BATCH_WRITE_ITEMS]
        stats.items += len(chunk)
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": serialize(i)}} for i in chunk]}
        for attempt in range(backoff.attempts):
            stats.requests += 1
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            stats.retried_items += sum(len(v) for v in pending.values())
            time.sleep(backoff.delay(attempt))
        if pending:
            left = [deserialize(r["PutRequest"]["Item"]) for r in pending.get(table, [])]
            raise Unprocessed(f"{len(left)} items still unprocessed after {backoff.attempts} tries", left)
    return stats


def _failed_condition(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def put_new(client: Any, table: str, item: Mapping[str, Any], key: str = "pk") -> bool:
    """``PutItem`` only where no item has this key; True if written, False if one was there."""
    try:
        client.put_item(TableName=table, Item=serialize(item), ConditionExpression=f"attribute_not_exists({key})")
    except ClientError as error:
        if _failed_condition(error):
            return False
        raise
    return True


def update_if(
    client: Any,
    table: str,
    key: Mapping[str, Any],
    *,
    condition: str,
    sets: Mapping[str, Any] | None = None,
    remove: Sequence[str] = (),
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> bool:
    """``UpdateItem``: SET ``#a = :a`` for each of ``sets``, REMOVE ``#r`` for each of ``remove``, under
    ``condition``; True if it held and the item was updated, False if not.

    Each attribute set or removed is named ``#<name>`` (its values ``:<name>``), so the condition can use
    them; ``names`` and ``values`` add the condition's own placeholders."""
    sets = dict(sets or {})
    expression = " ".join(
        part for part in (
            ("SET " + ", ".join(f"#{k} = :{k}" for k in sets)) if sets else "",
            ("REMOVE " + ", ".join(f"#{k}" for k in remove)) if remove else "",
        ) if part
    )
    all_names = {f"#{k}": k for k in [*sets, *remove]} | dict(names or {})
    all_values = {f":{k}": v for k, v in sets.items()} | dict(values or {})
    request: dict[str, Any] = {
        "TableName": table, "Key": serialize(key), "UpdateExpression": expression,
        "ConditionExpression": condition, "ExpressionAttributeNames": all_names,
    }
    if all_values:
        request["ExpressionAttributeValues"] = serialize(all_values)
    try:
        client.update_item(**request)
    except ClientError as error:
        if _failed_condition(error):
            return False
        raise
    return True
