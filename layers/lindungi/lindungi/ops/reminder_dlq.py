"""The reminder dead-letter queue: see what failed, decide, then empty it (``python -m lindungi reminder-dlq``).

A message lands in ``ReminderDLQ`` after its reminder failed every delivery; the sender recorded the notice
``failed`` first, with why (``error``), and nothing re-sends it. The queue only says *that* it happened;
the notice says what. So:

    python -m lindungi reminder-dlq list     each message's notice (NIK masked), status, error, attempts
    python -m lindungi reminder-dlq clear    delete the messages whose notice has its outcome recorded

What to decide, per error (docs/operations.md, "Alarms"):

- ``outcome_unknown``: a sender stopped between publishing and recording; the SMS may have gone. Never
  re-send (at most once wins); nothing to do.
- ``InvalidParameter...``: SNS refused the number or the text. A number problem is fixed by the next list
  with a good number; a text problem is a template bug: pause (``sms pause``) before the next run.
- throttling, ``KMS...``, ``AccessDenied``: the account or the stack, not the worker. Fix it; the next
  stage's reminder goes as planned (a failed stage is not retried).

``clear`` leaves a message whose notice is not yet recorded (still ``planned`` or ``sending``: it may still
be settled) or cannot be read, and says so; run it again later.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from lindungi import dynamo, nik
from lindungi.ops.audit import audit, caller
from lindungi.ops.replay import _messages, _release
from lindungi.reminders.notices import TERMINAL, Status, mask_id, notice_pk, parse_body


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    notice: str
    """The notice id, its NIK masked unless asked."""
    status: str | None
    """The notice's status now (None: no such notice)."""
    error: str | None
    attempts: int
    outcome_at: str | None


@dataclass
class DlqReport:
    letters: list[DeadLetter] = field(default_factory=list)
    deleted: int = 0
    left: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        errors = Counter(str(letter.error) for letter in self.letters)
        return {"messages": len(self.letters), "by_error": dict(errors), "deleted": self.deleted, "left": self.left,
                "letters": [asdict(letter) for letter in self.letters]}


def drain(sqs: Any, dynamodb: Any, queue_url: str, notices_table: str, *, clear: bool, show_nik: bool = False,
          limit: int | None = None) -> DlqReport:
    """Read every message (``clear``: delete those whose notice has its outcome); ``list`` leaves all in place."""
    report = DlqReport()
    messages = list(_messages(sqs, queue_url, limit, release=True))
    ids: dict[str, str | None] = {}
    for message in messages:
        try:
            ids[message["MessageId"]] = parse_body(message["Body"])
        except (ValueError, KeyError, TypeError):
            ids[message["MessageId"]] = None
    wanted = [{"pk": notice_pk(i)} for i in dict.fromkeys(i for i in ids.values() if i)]
    got = dynamo.batch_get(dynamodb, {notices_table: wanted}) if wanted else {notices_table: []}
    notices = {str(n["notice_id"]): n for n in got[notices_table] if "notice_id" in n}
    for message in messages:
        ident = ids[message["MessageId"]]
        notice = notices.get(ident or "")
        shown = (ident if show_nik else mask_id(ident)) if ident else "(not a reminder message)"
        letter = DeadLetter(message["MessageId"], shown, notice.get("status") if notice else None,
                            (notice or {}).get("error") or (notice or {}).get("last_error"),
                            int((notice or {}).get("attempts", 0)), (notice or {}).get("outcome_at"))
        report.letters.append(letter)
        recorded = notice is not None and Status(notice["status"]) in TERMINAL
        if clear and recorded:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            report.deleted += 1
            continue
        if clear:
            why = "no such notice" if notice is None else f"notice still {notice['status']}"
            report.left.append({"message_id": message["MessageId"], "notice": shown, "why": why})
        _release(sqs, queue_url, message)
    return report


def _run(args: argparse.Namespace) -> int:
    import boto3

    from lindungi.settings import ReminderDlqSettings

    settings = ReminderDlqSettings.from_env()
    queue_url = args.queue_url or settings.queue_url
    if not queue_url:
        print("reminder-dlq: give --queue-url or set REMINDER_DLQ_URL (the stack output ReminderDLQUrl)")
        return 2
    report = drain(boto3.client("sqs"), boto3.client("dynamodb"), queue_url, settings.notices_table,
                   clear=args.action == "clear", show_nik=args.show_nik, limit=args.max)
    audit(f"reminder-dlq {args.action}", caller(boto3.client("sts")), messages=len(report.letters),
          deleted=report.deleted, notices=[nik.mask(letter.notice.split("#")[0]) for letter in report.letters][:50])
    print(json.dumps(report.to_dict(), indent=1, sort_keys=True))
    return 1 if report.left else 0


def add_parser(commands: Any) -> None:
    """``python -m lindungi reminder-dlq``."""
    parser = commands.add_parser("reminder-dlq", help="reminders that failed every delivery: list, or clear those "
                                                      "recorded", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["list", "clear"])
    parser.add_argument("--queue-url", help="the DLQ (default: REMINDER_DLQ_URL)")
    parser.add_argument("--show-nik", action="store_true", help="the NIK in full, to look the worker up")
    parser.add_argument("--max", type=int, help="at most this many messages")
    parser.set_defaults(run=_run)
