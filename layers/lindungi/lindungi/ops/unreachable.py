"""Numbers the carrier reported dead (``UNREACHABLE#<e164>``, written by the delivery receipts): list and remove.

    python -m lindungi unreachable list             the workers whose number failed permanently (ask for a new one)
    python -m lindungi unreachable remove NUMBER    text that number again (the worker confirmed it works)

A later list with a new number for the worker needs nothing here: the new number is not on the list. The
same number stays blocked until staff remove it, because Indonesian numbers are recycled: a reminder to
a dead number can reach a stranger.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from lindungi import nik, phone
from lindungi.dynamo import deserialize, serialize
from lindungi.reminders.notices import UNREACHABLE_PREFIX, unreachable_pk


def remove_unreachable(dynamodb: Any, table: str, e164: str) -> bool:
    """Take ``e164`` off the list; False when it was not on it."""
    old = dynamodb.delete_item(TableName=table, Key=serialize({"pk": unreachable_pk(e164)}), ReturnValues="ALL_OLD")
    return "Attributes" in old


def list_unreachable(dynamodb: Any, table: str) -> Iterator[dict[str, Any]]:
    """Every number on the list. A Scan: for staff now and then, never for the functions."""
    kwargs: dict[str, Any] = {"TableName": table, "FilterExpression": "begins_with(pk, :p)",
                              "ExpressionAttributeValues": serialize({":p": UNREACHABLE_PREFIX})}
    while True:
        page = dynamodb.scan(**kwargs)
        yield from (deserialize(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _run(args: argparse.Namespace) -> int:
    import boto3

    from lindungi.settings import UnreachableSettings

    dynamodb, table = boto3.client("dynamodb"), UnreachableSettings.from_env().notices_table
    if args.action == "list":
        for item in sorted(list_unreachable(dynamodb, table), key=lambda i: str(i.get("added_at"))):
            who = str(item.get("nik") or "") if args.show_nik else nik.mask(str(item.get("nik") or ""))
            print(f"{item.get('added_at')}  {who}  {phone.mask(item.get('e164'))}  {item.get('reason')}")
        return 0
    number = phone.normalize(args.number or "")
    if number.e164 is None:
        print(f"not a phone number: {args.number!r}", file=sys.stderr)
        return 2
    removed = remove_unreachable(dynamodb, table, number.e164)
    print(f"{'removed' if removed else 'not on the list'}: {phone.mask(number.e164)}")
    return 0


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("unreachable", help="numbers the carrier reported dead: list, or remove one "
                                                     "(NOTICES_TABLE)")
    parser.add_argument("action", choices=["list", "remove"])
    parser.add_argument("number", nargs="?", help="for remove: as staff write it, 0812-3456-7890, +62 812 ...")
    parser.add_argument("--show-nik", action="store_true", help="list: the NIK in full, to find the worker")
    parser.set_defaults(run=_run)
