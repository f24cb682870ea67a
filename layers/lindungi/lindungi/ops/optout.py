"""The staff opt-out list: a worker who asked at the branch not to be texted (``python -m lindungi optout``)."""


from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lindungi.dynamo import serialize
from lindungi.reminders.notices import iso, optout_pk


def add_opt_out(dynamodb: Any, table: str, e164: str, *, reason: str = "", now: datetime | None = None) -> None:
    """Record that the worker asked at the branch not to be texted on ``e164``."""
    item = {"pk": optout_pk(e164), "type": "optout", "e164": e164, "reason": reason,
            "added_at": iso(now or datetime.now(UTC))}
    dynamodb.put_item(TableName=table, Item=serialize(item))


def remove_opt_out(dynamodb: Any, table: str, e164: str) -> None:
    dynamodb.delete_item(TableName=table, Key=serialize({"pk": optout_pk(e164)}))


