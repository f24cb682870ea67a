"""The staff opt-out list, kept from the command line: numbers as staff type them, stored as E.164."""

from __future__ import annotations

import boto3
import pytest

from lindungi.ops.cli import main
from lindungi.reminders.notices import optout_pk
from lindungi_dev.emulator.template import Stack


def _item(stack: Stack, e164: str) -> dict | None:
    table = stack.physical("NoticesTable")
    return boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": optout_pk(e164)}}).get("Item")


def test_add_then_remove(aws: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optout", "add", "0812-3456-7890", "--reason", "minta berhenti di kantor cabang"]) == 0
    assert _item(aws, "+6281234567890") is not None
    assert "+62812****7890" in capsys.readouterr().out  # never the number in clear
    assert main(["optout", "remove", "+62 812 3456 7890"]) == 0
    assert _item(aws, "+6281234567890") is None


def test_not_a_number_is_refused(aws: Stack) -> None:
    assert main(["optout", "add", "tidak ada"]) == 2
