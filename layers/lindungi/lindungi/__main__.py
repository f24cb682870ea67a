"""``python -m lindungi``: the staff and operator commands.

    check FILE [--program ID] [--json]   the report of a list, without AWS
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _check(args: argparse.Namespace) -> int:
    from .check import check
    from .report import text_table

    path = Path(args.file)
    report = check(path.read_bytes(), path.name, args.program)
    print(report.to_json() if args.json else text_table(report))
    return 1 if report.error else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lindungi", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a list and print its report (no AWS)")
    check.add_argument("file")
    check.add_argument("--program", help="program id, e.g. pekerja-rentan (default: the file's Program column)")
    check.add_argument("--json", action="store_true", help="print the JSON report of domain.md")
    check.set_defaults(run=_check)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
