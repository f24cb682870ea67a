"""``make bench``: the figures that keep ingestion honest, beside their targets.

    python -m lindungi_dev.bench            8,504 and 100,000-row lists, 5 runs each
    python -m lindungi_dev.bench --quick    8,504 rows only, 3 runs (a fast pass)
    python -m lindungi_dev.bench NAME ...   one benchmark with its own flags (NAME --help)

Every measurement of parse-and-validate runs in a fresh subprocess (no warm
caches, honest peak memory), several times, and the median is printed. The
baseline is measured in the same run on the same file: for spreadsheets the
bare reader (python-calamine ``iter_rows`` over every sheet, reading every
cell), for CSV ``csv.reader`` over the decoded text. The other sections (PDF,
reminders, receipts, hostile corpus, rekap, artifacts, portal) follow.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from . import spreadsheets, writes
from .common import PROGRAM, print_records

SIZES = (8_504, 100_000)
BENCHMARKS = {
    "pdf": "PDF lists, both layouts: speed beside pdfplumber's default tables, peak memory",
    "office": "the PDF figures on lists as LibreOffice prints them",
    "reminders": "planner and sender day by day on moto: every stage reached, requests per SMS",
    "receipts": "delivery receipts: requests and moto time per receipt",
    "hostile": "the hostile corpus through `python -m lindungi check`, a process a case",
    "rekap": "the daily rekap: read units per 10,000 workers",
    "artifacts": "artifact sizes and handler import times",
    "year": "the city's year: two cohorts and 2,000 self-payers through every reminder day, checked",
    "portal": "the staff portal: cold start beside ingest's, AWS requests of a warm lookup and report view",
}
"""The benchmarks that run on their own too (``python -m lindungi_dev.bench NAME``), module of this package."""


def benchmark(name: str) -> Any:
    """Imported only when run: a ``--child`` measurement must not carry moto or pdfplumber in its memory."""
    return importlib.import_module(f"{__package__}.{name}")


def others(quick: bool) -> None:
    pdf, office = benchmark("pdf"), benchmark("office")
    print_records("PDF parse and validate (lindungi_dev.bench.pdf)", pdf.run(quick) + office.run(quick))
    figures = benchmark("reminders").run(quick)
    print("\nReminders (lindungi_dev.bench.reminders): planner + sender day by day on moto")
    print(f"  requests per SMS sent: {figures['baseline']['requests_per_sms']} before "
          f"(commit {figures['baseline']['commit']}), now:")
    for name, f in figures["scenarios"].items():
        print(f"  {name:<10} {f['workers']:>6} workers  every stage {f['every_stage_pct']}%  duplicates "
              f"{f['duplicates']}  requests/SMS {f['requests_per_sms']}  items read/SMS "
              f"{f['items_read_per_sms']}  most in a run {f['max_per_run']} (ceiling {f['ceiling']})"
              f"  {f['seconds']} s")
    for size, f in figures["scale"].items():
        print(f"  planner over {size} due: {f['requests_per_notice']} requests, {f['items_read_per_notice']} "
              f"items read and {f['ms_per_notice_on_moto']} ms (moto) per notice")
    year = benchmark("year").run(0.1 if quick else 1.0, progress=False)
    print(f"\nThe city's year (lindungi_dev.bench.year): {year['workers']} workers, self-payers {year['self_payers']}, "
          f"{year['new_numbers']} new numbers, ceiling {year['ceiling']}")
    print(f"  SMS to replaced numbers {year['sms_to_replaced_numbers']}  after a renewal was listed "
          f"{year['sms_after_renewal_listed']}  every stage {year['reminded_every_stage']}  rekap renewed "
          f"{year['rekap']['renewed']} of {year['rekap']['ended']} (data: {year['expected']['renewed']})  "
          f"BatchWriteItem/row {year['batch_writes_per_row']}  requests/SMS {year['requests_per_sms']}  "
          f"{year['seconds']['total']} s  {'ok' if not year['failures'] else 'FAILED: ' + '; '.join(year['failures'])}")
    size = 1000 if quick else 25_000
    figures = benchmark("receipts").measure(size)
    print(f"\nDelivery receipts (lindungi_dev.bench.receipts): {size:,} sent notices in the table, "
          f"{figures['receipts_per_batch']} receipts a batch")
    for kind, f in figures["by_outcome"].items():
        print(f"  {kind:<16} {f['requests_per_receipt']} requests  {f['ms_per_receipt']} ms (moto) per receipt")
    print_records("Hostile corpus through `python -m lindungi check`, a process each (lindungi_dev.bench.hostile)",
                  benchmark("hostile").run(quick))
    print_records("Rekap: DynamoDB read units per 10,000 workers, one daily run (lindungi_dev.bench.rekap)",
                  [benchmark("rekap").run()])
    print_records("Artifact sizes and handler import times (lindungi_dev.bench.artifacts)",
                  benchmark("artifacts").run())
    portal = benchmark("portal")
    portal.report(portal.run(3 if quick else 5))


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] and args_in[0] in BENCHMARKS:
        return int(benchmark(args_in[0]).main(args_in[1:]) or 0)
    parser = argparse.ArgumentParser(
        prog="python -m lindungi_dev.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="benchmarks on their own:\n" + "\n".join(f"  {name:<10} {what}" for name, what in BENCHMARKS.items()))
    parser.add_argument("--quick", action="store_true", help="8,504 rows only, 3 runs")
    parser.add_argument("--runs", type=int, help="fresh processes per measurement (default 5, quick 3)")
    parser.add_argument("--sizes", help="comma-separated list sizes (default 8504,100000)")
    parser.add_argument("--only", choices=["spreadsheets", "writes", "others"], help="one section only")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(args_in)
    if args.child:
        spreadsheets.child(*args.child)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [SIZES[0]] if args.quick else list(SIZES)
    runs = args.runs or (3 if args.quick else 5)
    print(f"Lindungi benchmark - Python {sys.version.split()[0]}, sample lists of {', '.join(f'{s:,}' for s in sizes)} "
          f"workers ({PROGRAM}, planted faults every 97th row)")
    if args.only in (None, "spreadsheets"):
        spreadsheets.run(sizes, runs)
    if args.only in (None, "writes"):
        writes.run(sizes[0])
    if args.only in (None, "others"):
        others(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
