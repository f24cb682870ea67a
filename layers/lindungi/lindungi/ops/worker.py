"""``python -m lindungi worker NIK``: one worker's story, the runbook's answer to a complaint.

The read is ``lindungi.lookup.worker`` (one Query and a BatchGetItem or two, no Scan); this prints it. The
numbers are masked unless ``--show-contact``; every lookup writes an audit line (who, the NIK masked, whether
the numbers were shown).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from lindungi import nik as nik_
from lindungi.ops.audit import audit, caller


def _run(args: argparse.Namespace) -> int:
    import boto3

    from lindungi.config import programs
    from lindungi.lookup.worker import read_worker, text
    from lindungi.settings import LookupSettings

    cleaned = nik_.normalize(args.nik)
    if cleaned.nik is None or len(cleaned.nik) != 16 or not cleaned.nik.isdigit():
        print(f"not a NIK: {nik_.mask(args.nik)}")
        return 2
    settings = LookupSettings.from_env()
    audit("worker lookup", caller(boto3.client("sts")), nik=nik_.mask(cleaned.nik), show_contact=args.show_contact)
    record = read_worker(boto3.client("dynamodb"), settings.workers_table, settings.notices_table, programs(),
                         cleaned.nik, show_contact=args.show_contact)
    print(json.dumps(record.to_dict(), indent=1, sort_keys=True) if args.json else text(record))
    return 0 if record.found else 1


def add_parser(commands: Any) -> None:
    """``python -m lindungi worker``."""
    parser = commands.add_parser("worker", help="one worker's covers, contact, reminders and receipts, opt-out and "
                                                "dead-number marks (WORKERS_TABLE, NOTICES_TABLE)",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("nik", help="the worker's 16-digit NIK")
    parser.add_argument("--show-contact", action="store_true", help="the phone numbers in full (audited)")
    parser.add_argument("--json", action="store_true", help="the record as JSON (what the portal renders)")
    parser.set_defaults(run=_run)
