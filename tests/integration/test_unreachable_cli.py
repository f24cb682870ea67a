"""The list of numbers the carrier reported dead, kept from the command line (``python -m lindungi unreachable``)."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from lindungi.dynamo import serialize
from lindungi.ops.cli import main
from lindungi.reminders.notices import unreachable_pk
from lindungi_dev.emulator.template import Stack


def _mark(stack: Stack, e164: str, nik: str, added_at: str) -> None:
    item = {"pk": unreachable_pk(e164), "type": "unreachable", "e164": e164, "nik": nik,
            "reason": "Invalid phone number", "added_at": added_at}
    boto3.client("dynamodb").put_item(TableName=stack.physical("NoticesTable"), Item=serialize(item))


def _marked(stack: Stack, e164: str) -> bool:
    table = stack.physical("NoticesTable")
    return "Item" in boto3.client("dynamodb").get_item(TableName=table, Key=serialize({"pk": unreachable_pk(e164)}))


def test_list_then_remove(aws: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    _mark(aws, "+6281234567890", "6172014509850003", datetime(2025, 5, 24, 2, 6, tzinfo=UTC).isoformat())
    _mark(aws, "+6285712345670", "6172014509850004", datetime(2025, 5, 23, 2, 6, tzinfo=UTC).isoformat())
    boto3.client("dynamodb").put_item(TableName=aws.physical("NoticesTable"),
                                      Item=serialize({"pk": "OPTOUT#+6281111111111", "type": "optout"}))
    assert main(["unreachable", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "6172********0004" in lines[0] and "+62857****5670" in lines[0]
    assert "Invalid phone number" in lines[1] and "+6281234567890" not in "".join(lines)
    assert main(["unreachable", "list", "--show-nik"]) == 0
    assert "6172014509850003" in capsys.readouterr().out  # staff need the NIK to find the worker

    assert main(["unreachable", "remove", "0812-3456-7890"]) == 0
    assert "removed: +62812****7890" in capsys.readouterr().out
    assert not _marked(aws, "+6281234567890") and _marked(aws, "+6285712345670")
    assert main(["unreachable", "remove", "0812-3456-7890"]) == 0
    assert "not on the list" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["unreachable", "remove", "tidak ada"], ["unreachable", "remove"]])
def test_not_a_number_is_refused(aws: Stack, argv: list[str]) -> None:
    assert main(argv) == 2
