"""The reminder dead-letter queue: see what failed, decide, then empty it (``python -m lindungi reminder-dlq``).

A message lands in ``ReminderDLQ`` after its reminder failed every delivery; the sender recorded the notice
``failed`` first, with why (``error``), and nothing re-sends it. The queue only says *that* it happened;
the notice says what. Its bodies are sealed (``lindungi.reminders.sealed``): the command opens them with the
stack's key (``REMINDER_QUEUE_KEY``, the stack output DataKeyArn; the caller needs ``kms:Decrypt`` on it under
the reminder queue's encryption context) and shows each NIK masked. So:

    python -m lindungi reminder-dlq list     each message's notice (NIK masked), status, error, attempts
    python -m lindungi reminder-dlq clear    delete the messages whose notice has its outcome recorded

What to decide, per error (docs/operations.md, "Alarms"):

- ``outcome_unknown``: a sender stopped between publishing and recording; the SMS may have gone. Never
  re-send (at most once wins); nothing to do.
- ``InvalidParameter...``: SNS refused the number or the text. A number problem is fixed by the next list
  with a good number; a text problem is a template bug: pause (``sms pause``) before the next run.
- throttling, ``KMS...``, ``AccessDenied``: the account or the stack, not the worker. Fix it; the next
  stage's reminder goes as planned (a failed stage is not retried).
- ``refused: ...`` (``body`` refused, no notice): the body never opened: ``malformed``, sealed with
  ``other_key`` (another stack's planner wrote to this queue) or ``tampered``. No notice was touched: one this
  stack planned is still in the outbox and the next planner run queues it again. Something that may write
  to the queue wrote what this stack did not seal: find it (CloudTrail, ``sqs:SendMessage`` grants), then
  ``clear --drop-refused`` deletes these messages.

``clear`` leaves a message whose notice is not yet recorded (still ``planned`` or ``sending``: it may still
be settled), cannot be read, whose body was refused (without ``--drop-refused``) or KMS did not open
(access denied, throttled: ``body`` not opened), and says so; run it again later.
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
from lindungi.reminders.notices import TERMINAL, Status, mask_id, notice_pk
from lindungi.reminders.sealed import KeyUnavailable, Opener, Refused

SEALED, OLD_FORM, REFUSED, NOT_OPENED = "sealed", "old clear form", "refused", "not opened"
"""What a message's body is: sealed; queued before bodies were sealed; never to open; KMS did not answer."""


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    notice: str
    """The notice id, its NIK masked unless asked; ``(body not opened)`` when it did not open."""
    status: str | None
    """The notice's status now (None: no such notice, or the body did not open)."""
    error: str | None
    """The notice's error; for a body that did not open, why (``refused: tampered: ...``, ``KMS ...``)."""
    attempts: int
    outcome_at: str | None
    body: str = SEALED
    """``sealed``, ``old clear form``, ``refused`` or ``not opened``."""


@dataclass
class DlqReport:
    letters: list[DeadLetter] = field(default_factory=list)
    deleted: int = 0
    left: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        errors = Counter(str(letter.error) for letter in self.letters)
        return {"messages": len(self.letters), "by_error": dict(errors), "deleted": self.deleted, "left": self.left,
                "letters": [asdict(letter) for letter in self.letters]}


def _open(opener: Opener, body: str) -> tuple[str | None, str, str | None]:
    """(notice id, what the body is, why it did not open)."""
    try:
        opened = opener.open(body)
    except Refused as error:
        return None, REFUSED, f"refused: {error}"
    except KeyUnavailable as error:
        return None, NOT_OPENED, str(error)
    return opened.notice_id, OLD_FORM if opened.legacy else SEALED, None


def drain(sqs: Any, dynamodb: Any, opener: Opener, queue_url: str, notices_table: str, *, clear: bool,
          drop_refused: bool = False, show_nik: bool = False, limit: int | None = None) -> DlqReport:
    """Read every message (``clear``: delete those whose notice has its outcome, and with ``drop_refused`` those
    whose body will never open); ``list`` leaves all in place."""
    report = DlqReport()
    messages = list(_messages(sqs, queue_url, limit, release=True))
    opened = {m["MessageId"]: _open(opener, m["Body"]) for m in messages}
    wanted = [{"pk": notice_pk(i)} for i in dict.fromkeys(i for i, _, _ in opened.values() if i)]
    got = dynamo.batch_get(dynamodb, {notices_table: wanted}) if wanted else {notices_table: []}
    notices = {str(n["notice_id"]): n for n in got[notices_table] if "notice_id" in n}
    for message in messages:
        message_id = message["MessageId"]
        ident, body, why = opened[message_id]
        if ident is None:
            report.letters.append(DeadLetter(message_id, "(body not opened)", None, why, 0, None, body))
            if clear and drop_refused and body == REFUSED:  # it will never open; no notice was acted on for it
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                report.deleted += 1
                continue
            if clear:
                report.left.append({"message_id": message_id, "notice": "(body not opened)", "why": str(why)})
            _release(sqs, queue_url, message)
            continue
        notice = notices.get(ident)
        shown = ident if show_nik else mask_id(ident)
        letter = DeadLetter(message_id, shown, notice.get("status") if notice else None,
                            (notice or {}).get("error") or (notice or {}).get("last_error"),
                            int((notice or {}).get("attempts", 0)), (notice or {}).get("outcome_at"), body)
        report.letters.append(letter)
        recorded = notice is not None and Status(notice["status"]) in TERMINAL
        if clear and recorded:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            report.deleted += 1
            continue
        if clear:
            why = "no such notice" if notice is None else f"notice still {notice['status']}"
            report.left.append({"message_id": message_id, "notice": shown, "why": why})
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
    key = args.key or settings.queue_key
    if not key:
        print("reminder-dlq: give --key or set REMINDER_QUEUE_KEY (the stack output DataKeyArn): the bodies are sealed")
        return 2
    report = drain(boto3.client("sqs"), boto3.client("dynamodb"), Opener(boto3.client("kms"), key), queue_url,
                   settings.notices_table, clear=args.action == "clear", drop_refused=args.drop_refused,
                   show_nik=args.show_nik, limit=args.max)
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
    parser.add_argument("--key", help="the KMS key that sealed the bodies (default: REMINDER_QUEUE_KEY, the stack "
                                      "output DataKeyArn)")
    parser.add_argument("--drop-refused", action="store_true", help="with clear: delete too the messages whose body "
                        "was refused (malformed, another key, tampered), once you know who wrote them")
    parser.add_argument("--show-nik", action="store_true", help="the NIK in full, to look the worker up")
    parser.add_argument("--max", type=int, help="at most this many messages")
    parser.set_defaults(run=_run)
