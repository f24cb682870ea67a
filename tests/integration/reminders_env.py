"""Helpers for the reminder tests against moto (tables and queues of template.yaml): the pieces wired up."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.sns.models import sns_backends

from lindungi.config import programs
from lindungi.dynamo import deserialize, serialize
from lindungi.intake.store import write_items
from lindungi.reminders.notices import notice_pk
from lindungi.reminders.planner import Planner, PlanReport, run_time
from lindungi.reminders.sender import Delivery, RetryLater, Sender
from lindungi.settings import PlannerSettings, SenderSettings
from lindungi_dev.emulator.template import ACCOUNT, REGION, Stack
from lindungi_dev.samples import coverages

PROGRAM = "pekerja-rentan"
START = date(2025, 1, 1)
END = date(2025, 5, 31)
PHONE = "+6281234567890"


def coverage(nik: str = "6172014509850003", *, end: date = END, start: date = START, phone: str | None = PHONE,
             sms_capable: bool = True, listed_at: str = "2025-01-05T03:00:00+00:00", name: str = "SITI AMINAH",
             program: str = PROGRAM) -> dict[str, Any]:
    return coverages.coverage(nik, program=program, start=start, end=end, phone=phone, sms_capable=sms_capable,
                              name=name, listed_at=listed_at)


def niks(n: int) -> list[str]:
    return [f"61720145098{i:05d}"[:12] + f"{i + 1:04d}" for i in range(n)]


class Env:
    """The reminder pieces wired to the moto stack."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
        self.sqs: Any = boto3.client("sqs", region_name=REGION)
        self.sns: Any = boto3.client("sns", region_name=REGION)
        self.workers = stack.physical("WorkersTable")
        self.notices_table = stack.physical("NoticesTable")
        self.queue = stack.physical("ReminderQueue")
        self.dlq = stack.physical("ReminderDLQ")

    def put(self, *items: dict[str, Any]) -> None:
        write_items(self.dynamodb, self.workers, items)

    def planner(self, **overrides: Any) -> Planner:
        """A planner with clients of its own, so faults injected into it stay in it."""
        settings = PlannerSettings(**{**PlannerSettings.from_env().__dict__, **overrides})
        return Planner(boto3.client("dynamodb", region_name=REGION), boto3.client("sqs", region_name=REGION),
                       settings, programs())

    def sender(self, **overrides: Any) -> Sender:
        settings = SenderSettings(**{**SenderSettings.from_env().__dict__, **overrides})
        return Sender(boto3.client("dynamodb", region_name=REGION), boto3.client("sns", region_name=REGION),
                      boto3.client("sqs", region_name=REGION), settings, programs())

    def plan(self, day: date, hour: int = 9, *, send: bool = True, **overrides: Any) -> PlanReport:
        """A planner run at ``hour``:00 WIB on ``day``; then (``send``) the sender acts on what it queued, as the
        queue's consumer would within minutes (which takes each notice out of the outbox)."""
        now = run_time(day, programs(), hour)
        report = self.planner(**overrides).run(now)
        if send:
            sender = self.sender()
            for ident in report.notice_ids:
                with contextlib.suppress(RetryLater):
                    sender.handle(Delivery(ident), now)
        return report

    def receive(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10,
                                                AttributeNames=["All"]).get("Messages", []):
            out += batch
        return out

    def queued_ids(self) -> list[str]:
        return [json.loads(m["Body"])["notice_id"] for m in self.receive()]

    def notice(self, ident: str) -> dict[str, Any]:
        item = self.dynamodb.get_item(TableName=self.notices_table, Key=serialize({"pk": notice_pk(ident)}))
        return deserialize(item["Item"])

    def notices(self) -> list[dict[str, Any]]:
        items = self.dynamodb.scan(TableName=self.notices_table)["Items"]  # tests only: the code never scans
        return [deserialize(i) for i in items if i["pk"]["S"].startswith("NOTICE#")]

    def remind_key(self, item: dict[str, Any]) -> str | None:
        got = self.dynamodb.get_item(TableName=self.workers, Key=serialize({"pk": item["pk"], "sk": item["sk"]}))
        return deserialize(got["Item"]).get("remind_key")

    @staticmethod
    def sns_opt_out(e164: str) -> None:
        """Put a number on the account's SNS opt-out list (moto keeps it in its backend)."""
        sns_backends[ACCOUNT][REGION].opt_out_numbers.append(e164)

    @staticmethod
    def sms() -> list[tuple[str, str]]:
        return list(sns_backends[ACCOUNT][REGION].sms_messages.values())


@pytest.fixture
def env(aws: Stack) -> Env:
    return Env(aws)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=programs().timezone)


def fail_on(client: Any, event: str, error: str = "Throttling",
            when: Callable[[dict[str, Any]], bool] = lambda params: True) -> list[dict[str, Any]]:
    """Make ``client`` raise ``error`` on ``event`` (e.g. "before-call.sns.Publish"); returns the calls seen."""
    calls: list[dict[str, Any]] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)
        if when(params):
            raise ClientError({"Error": {"Code": error, "Message": "injected"}}, event.rsplit(".", 1)[-1])

    client.meta.events.register(f"before-parameter-build.{event.split('.', 1)[1]}", hook)
    return calls


def count_calls(client: Any, operation: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    client.meta.events.register(f"before-parameter-build.{operation}", lambda params, **_: calls.append(params))
    return calls


