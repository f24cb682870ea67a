"""``python -m lindungi``: the staff and operator commands.

    check FILE [--program ID] [--json] [--html OUT.html]   the report of a list, without AWS
    sms-settings --delivery-role-arn ARN  SMS delivery-status logs and spend limit (account-wide, once)
    remind --today YYYY-MM-DD [--dry-run]  the reminder planner for that day (09:00 WIB), against the AWS the
                                         environment points at (AWS_ENDPOINT_URL for the local emulator;
                                         WORKERS_TABLE, NOTICES_TABLE, REMINDER_QUEUE_URL, REMINDER_QUEUE_KEY
                                         as the planner reads)
    replay [--queue-url URL] [--dry-run]  re-invoke the failed ingestions in IngestFailedQueue (lindungi.ops.replay)
    rekap [--today DATE] [--out DIR | --bucket B]  the city-wide rekap (WORKERS_TABLE, NOTICES_TABLE; the reports in
                                         --bucket or REPORTS_BUCKET for double listings), page + workbook
    optout add|remove NUMBER [--reason]  the staff opt-out list: a worker who asked at the branch not to be texted
    mask-key [KEY ...]                   each S3 key as the logs show it (keys from stdin if none given), so a
                                         masked key in a log line can be found in a bucket listing
    unreachable list|remove [NUMBER]     numbers the carrier reported dead (lindungi.ops.unreachable)
    replay-receipts [--dry-run]          record again the receipts kept in ReceiptsFailedQueue (numbers masked)
    reminder-dlq list|clear              reminders that failed every delivery: see why, then empty the DLQ
    sms pause|resume|status [--reason]   stop or restart every reminder SMS (lindungi.ops.pause)
    worker NIK [--show-contact]          one worker's covers, contact, reminders, receipts, opt-out, dead number

Every alarm's first command is in docs/operations.md, "Alarms".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _check(args: argparse.Namespace) -> int:
    from lindungi.intake.check import check
    from lindungi.intake.report import text_table

    path = Path(args.file)
    report = check(path.read_bytes(), path.name, args.program)
    if args.html:
        from datetime import UTC, datetime

        from lindungi.intake import example
        from lindungi.intake.report import fix_workbook
        from lindungi.intake.report_page import render
        from lindungi.outcomes import FileError

        fix = fix_workbook(report)
        out = Path(args.html)
        fix_path = out.with_name(f"{path.name}.perbaikan.xlsx") if fix is not None else None
        if fix is not None and fix_path is not None:
            fix_path.write_bytes(fix)
        processed = {"processed_at": datetime.now(UTC).isoformat(timespec="seconds")}
        out.write_text(render(report, fix_path.name if fix_path else None, processed), encoding="utf-8")
        if report.error is FileError.HEADER_NOT_FOUND:
            out.with_name(example.NAME).write_bytes(example.workbook())
        print(f"{out}" + (f" (+ {fix_path})" if fix_path else ""), file=sys.stderr)
    if args.json:
        sys.stdout.writelines(report.json_chunks())
    else:
        print(text_table(report))
    return 1 if report.error else 0


def _remind(args: argparse.Namespace) -> int:
    import json
    from datetime import date

    import boto3

    from lindungi.config import programs
    from lindungi.reminders.planner import Planner, run_time
    from lindungi.settings import PlannerSettings, environ

    env = environ()
    if args.dry_run:  # a preview queues nothing, so seals nothing
        env["REMINDER_QUEUE_URL"] = env.get("REMINDER_QUEUE_URL") or "(dry run: nothing is queued)"
        env["REMINDER_QUEUE_KEY"] = env.get("REMINDER_QUEUE_KEY") or "(dry run: nothing is sealed)"
    settings = PlannerSettings.from_env(env)
    if args.max is not None:
        settings = PlannerSettings(**{**settings.__dict__, "max_per_run": args.max})
    planner = Planner(boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("kms"), settings, programs())
    now = run_time(date.fromisoformat(args.today), programs(), args.hour)
    report = planner.preview(now) if args.dry_run else planner.run(now)
    print(json.dumps({"dry_run": args.dry_run, **report.to_dict()}, indent=1, sort_keys=True))
    return 0


def _rekap(args: argparse.Namespace) -> int:
    import json
    from datetime import date, datetime

    import boto3

    from lindungi.config import programs
    from lindungi.rekap.publish import Rekapper, today_of
    from lindungi.settings import RekapSettings

    settings = RekapSettings.from_env()
    bucket = args.bucket or settings.reports_bucket
    rekapper = Rekapper(boto3.client("dynamodb"), settings.workers_table, settings.notices_table, programs(),
                        reports=(boto3.client("s3"), bucket) if bucket else None)
    today = date.fromisoformat(args.today) if args.today else today_of(datetime.now().astimezone(), programs())
    if args.bucket:
        outcome = rekapper.to_bucket(boto3.client("s3"), args.bucket, today)
    else:
        outcome = rekapper.to_folder(Path(args.out), today)
    print(json.dumps(outcome, indent=1, sort_keys=True))
    return 0


def _optout(args: argparse.Namespace) -> int:

    import boto3

    from lindungi import phone
    from lindungi.ops import optout
    from lindungi.settings import OptOutSettings

    number = phone.normalize(args.number)
    if number.e164 is None:
        print(f"not a phone number: {args.number!r}", file=sys.stderr)
        return 2
    table = OptOutSettings.from_env().notices_table
    if args.action == "add":
        optout.add_opt_out(boto3.client("dynamodb"), table, number.e164, reason=args.reason)
    else:
        optout.remove_opt_out(boto3.client("dynamodb"), table, number.e164)
    print(f"{args.action}: {phone.mask(number.e164)}")
    return 0


def _mask_key(args: argparse.Namespace) -> int:
    from lindungi.logs import mask_key

    keys = args.keys or [line.rstrip("\n") for line in sys.stdin]
    for key in keys:
        if key.strip():
            print(f"{mask_key(key)}\t{key}")
    return 0


def parser() -> argparse.ArgumentParser:
    """Every command and its options (docs/operations.md's commands are checked against it)."""
    parser = argparse.ArgumentParser(prog="python -m lindungi", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a list and print its report (no AWS)")
    check.add_argument("file")
    check.add_argument("--program", help="program id, e.g. pekerja-rentan (default: the file's Program column)")
    check.add_argument("--json", action="store_true", help="print the JSON report of domain.md")
    check.add_argument("--html", metavar="OUT.html", help="also write the staff page (fix-up workbook beside it)")
    check.set_defaults(run=_check)
    remind = commands.add_parser("remind", help="plan and queue the renewal reminders due on a day (needs AWS)")
    remind.add_argument("--today", required=True, help="the day to plan for, YYYY-MM-DD (WIB)")
    remind.add_argument("--hour", type=int, default=9, help="hour of the run, WIB (default 9, as scheduled)")
    remind.add_argument("--max", type=int, help="ceiling on messages this run (default MAX_SMS_PER_RUN)")
    remind.add_argument("--dry-run", action="store_true", help="only count what is due; write and send nothing")
    remind.set_defaults(run=_remind)
    from lindungi.ops.sms_settings import add_parser as sms_settings

    sms_settings(commands)
    rekap = commands.add_parser("rekap", help="the city-wide rekap of every list, page and workbook (needs AWS)")
    rekap.add_argument("--today", help="the rekap's day, YYYY-MM-DD (default: today, WIB)")
    where = rekap.add_mutually_exclusive_group()
    where.add_argument("--out", default=".local/rekap", help="folder for <date>.html and .xlsx (default .local/rekap)")
    where.add_argument("--bucket", help="write reports/rekap/<date>.html and .xlsx to this bucket instead")
    rekap.set_defaults(run=_rekap)
    optout = commands.add_parser("optout", help="add or remove a number on the staff opt-out list (NOTICES_TABLE)")
    optout.add_argument("action", choices=["add", "remove"])
    optout.add_argument("number", help="as staff write it: 0812-3456-7890, +62 812 ...")
    optout.add_argument("--reason", default="", help="e.g. 'minta berhenti di kantor cabang'")
    optout.set_defaults(run=_optout)
    mask = commands.add_parser("mask-key", help="S3 keys as the logs show them (incoming/<program>/#<hash>.<ext>)")
    mask.add_argument("keys", nargs="*", help="keys; none: one per line on stdin")
    mask.set_defaults(run=_mask_key)
    from lindungi.ops.replay import add_parser as replay

    replay(commands)
    from lindungi.ops.unreachable import add_parser as unreachable

    unreachable(commands)
    from lindungi.ops.reminder_dlq import add_parser as reminder_dlq

    reminder_dlq(commands)
    from lindungi.ops.pause import add_parser as sms

    sms(commands)
    from lindungi.ops.worker import add_parser as worker

    worker(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))

