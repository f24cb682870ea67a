"""``make bench``: the figures that keep ingestion honest, with the targets of issue 6.

    python -m lindungi_dev.bench            8,504 and 100,000-row lists, 5 runs each
    python -m lindungi_dev.bench --quick    8,504 rows only, 3 runs (a fast pass)

Every measurement of parse-and-validate runs in a fresh subprocess (no warm
caches, honest peak memory), several times, and the median is printed. The
baseline is measured in the same run on the same file: for spreadsheets the
bare reader (python-calamine ``iter_rows`` over every sheet, reading every
cell), for CSV ``csv.reader`` over the decoded text. Sections owned by other
parts of the project (PDF, reminders, artifacts) are imported lazily and say
"not available yet" until their module exists.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import samples

SIZES = (8_504, 100_000)
FORMATS = ("xlsx", "xls", "csv")
PROGRAM = "pekerja-rentan"
CACHE = Path(__file__).resolve().parents[2] / ".local" / "bench"

TARGET_RATIO = 3.0
TARGET_PEAK_MB = 200.0
TARGET_WRITES_PER_ROW = 0.05


# ------------------------------------------------------------------------------------------ child


def _peak_mb() -> float:
    """This process's peak resident memory. On Linux ``ru_maxrss`` survives ``exec`` (it would report the
    parent's peak), so the kernel's per-image high-water mark ``VmHWM`` is read instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def _bare(data: bytes, kind: str) -> int:
    """The reader alone, touching every cell: what parse-and-validate is compared with."""
    if kind == "csv":
        import csv
        import io

        from lindungi.intake.readers.csvfile import decode

        count = 0
        for row in csv.reader(io.StringIO(decode(data), newline=""), delimiter=";"):
            for _ in row:
                pass
            count += 1
        return count
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    count = 0
    for name in book.sheet_names:
        for cells in book.get_sheet_by_name(name).iter_rows():
            for _ in cells:
                pass
            count += 1
    return count


def _child(mode: str, path: str) -> None:
    """One measurement, printed as JSON on stdout: seconds, rows and this process's peak memory."""
    data = Path(path).read_bytes()
    kind = path.rsplit(".", 1)[-1]
    if mode == "check":
        from lindungi.intake.check import check

        started = time.process_time()
        report = check(data, Path(path).name, PROGRAM)
        seconds = time.process_time() - started
        if report.error:
            raise SystemExit(f"{path}: {report.error.value} {report.error_detail}")
        rows = report.rows_read
    else:
        started = time.process_time()
        rows = _bare(data, kind)
        seconds = time.process_time() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": _peak_mb()}))


# ----------------------------------------------------------------------------------------- parent


def _sample(size: int, kind: str) -> Path:
    """The sample list of ``size`` workers (planted faults included), written once and cached."""
    path = CACHE / f"workers-{size}.{kind}"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        people, _ = samples.plant_faults(samples.workers(size, PROGRAM))
        writer: dict[str, Callable[[], bytes]] = {
            "xlsx": lambda: samples.write_xlsx(people, PROGRAM),
            "xls": lambda: samples.write_xls(people),
            "csv": lambda: samples.write_csv(people),
        }
        path.with_suffix(".tmp").write_bytes(writer[kind]())
        path.with_suffix(".tmp").rename(path)
    return path


def _measure(mode: str, path: Path, runs: int) -> dict[str, float]:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-m", "lindungi_dev.bench", "--child", mode, str(path)],
            capture_output=True, text=True, check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "rows": results[0]["rows"],
        "peak_mb": statistics.median(r["peak_mb"] for r in results),
    }


def _table(title: str, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(head)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.rjust(w) if c[:1].isdigit() else c.ljust(w) for c, w in zip(row, widths, strict=True)))


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "GAP"


def spreadsheets(sizes: Sequence[int], runs: int) -> None:
    rows = []
    for size in sizes:
        for kind in FORMATS:
            path = _sample(size, kind)
            full = _measure("check", path, runs)
            bare = _measure("bare", path, runs)
            ratio = full["seconds"] / bare["seconds"]
            peak_target = kind == "xlsx" and size == 100_000
            verdict = _verdict(ratio <= TARGET_RATIO)
            if peak_target:
                verdict += "/" + _verdict(full["peak_mb"] < TARGET_PEAK_MB)
            rows.append([
                f"{size:,}", f".{kind}", f"{full['rows']:,}", f"{full['seconds']:.3f}",
                f"{full['rows'] / full['seconds']:,.0f}", f"{bare['seconds']:.3f}", f"{ratio:.2f}x",
                f"{full['peak_mb']:.0f}", f"{bare['peak_mb']:.0f}", verdict,
            ])
    _table(
        f"Parse and validate (lindungi.intake.check.check), median of {runs} fresh processes; "
        f"targets: <= {TARGET_RATIO:.0f}x the bare reader, 100,000-row .xlsx peak < {TARGET_PEAK_MB:.0f} MB",
        ["list", "format", "worker rows", "check s", "rows/s", "bare s", "ratio", "peak MB", "bare peak MB", "verdict"],
        rows,
    )


def write_requests(size: int) -> None:
    """BatchWriteItem requests per stored row, against moto in this process."""
    import os

    import boto3
    from moto import mock_aws

    from lindungi.config import programs
    from lindungi.intake import store
    from lindungi.intake.check import check

    from .emulator import REGION, provision

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ[name] = "testing"
    os.environ.pop("AWS_ENDPOINT_URL", None)
    report = check(_sample(size, "csv").read_bytes(), "workers.csv", PROGRAM)
    source = store.Source(bucket="b", key=f"incoming/{PROGRAM}/workers.csv", version_id=None, sha256="0" * 64,
                          listed_at="2025-01-02T00:00:00Z")
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        stack = provision(session)
        client = session.client("dynamodb")
        calls = {"BatchWriteItem": 0}

        def count(**_: Any) -> None:
            calls["BatchWriteItem"] += 1

        client.meta.events.register("before-call.dynamodb.BatchWriteItem", count)
        table = stack.physical("WorkersTable")
        stats = store.write_items(client, table, (store.coverage_item(a, source, programs()) for a in report.accepted))
        stored = sum(page["Count"] for page in client.get_paginator("scan").paginate(TableName=table, Select="COUNT"))
    per_row = calls["BatchWriteItem"] / stored
    _table(
        f"DynamoDB writes (store.write_items on moto); target <= {TARGET_WRITES_PER_ROW} requests per stored row",
        ["list", "stored rows", "BatchWriteItem calls", "WriteStats.requests", "requests/row", "verdict"],
        [[f"{size:,}", f"{stored:,}", calls["BatchWriteItem"], stats.requests, f"{per_row:.4f}",
          _verdict(per_row <= TARGET_WRITES_PER_ROW)]],
    )


def _lazy(module: str) -> Any | None:
    try:
        return importlib.import_module(f"lindungi_dev.{module}")
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("lindungi_dev"):
            return None
        raise


def _records(title: str, records: Sequence[dict[str, Any]]) -> None:
    if not records:
        print(f"\n{title}\n(no figures)")
        return
    head = list(dict.fromkeys(k for r in records for k in r))
    _table(title, head, [[_fmt(r.get(k, "")) for k in head] for r in records])


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def others(quick: bool) -> None:
    pdf = _lazy("bench_pdf")
    if pdf is None:
        print("\nPDF parse and validate (bench_pdf): not available yet")
    else:
        _records("PDF parse and validate (lindungi_dev.bench_pdf)", pdf.run(quick))
    reminders = _lazy("bench_reminders")
    if reminders is None:
        print("\nReminders (bench_reminders): not available yet")
    else:
        figures = reminders.run(quick)
        print("\nReminders (lindungi_dev.bench_reminders): planner + sender day by day on moto")
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
    receipts = _lazy("bench_receipts")
    if receipts is not None:
        size = 1000 if quick else 25_000
        figures = receipts.measure(size)
        print(f"\nDelivery receipts (lindungi_dev.bench_receipts): {size:,} sent notices in the table, "
              f"{figures['receipts_per_batch']} receipts a batch")
        for kind, f in figures["by_outcome"].items():
            print(f"  {kind:<16} {f['requests_per_receipt']} requests  {f['ms_per_receipt']} ms (moto) per receipt")
    hostile = _lazy("bench_hostile")
    if hostile is not None:
        _records("Hostile corpus through `python -m lindungi check`, a process each (lindungi_dev.bench_hostile)",
                 hostile.run(quick))
    rekap = _lazy("bench_rekap")
    if rekap is not None:
        _records("Rekap: DynamoDB read units per 10,000 workers, one daily run (lindungi_dev.bench_rekap)",
                 [rekap.run()])
    artifacts = _lazy("bench_artifacts")
    if artifacts is None:
        print("\nArtifacts and handler import times (bench_artifacts): not available yet")
    else:
        _records("Artifact sizes and handler import times (lindungi_dev.bench_artifacts)", artifacts.run())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="8,504 rows only, 3 runs")
    parser.add_argument("--runs", type=int, help="fresh processes per measurement (default 5, quick 3)")
    parser.add_argument("--sizes", help="comma-separated list sizes (default 8504,100000)")
    parser.add_argument("--only", choices=["spreadsheets", "writes", "others"], help="one section only")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [SIZES[0]] if args.quick else list(SIZES)
    runs = args.runs or (3 if args.quick else 5)
    print(f"Lindungi benchmark - Python {sys.version.split()[0]}, sample lists of {', '.join(f'{s:,}' for s in sizes)} "
          f"workers ({PROGRAM}, planted faults every 97th row)")
    if args.only in (None, "spreadsheets"):
        spreadsheets(sizes, runs)
    if args.only in (None, "writes"):
        write_requests(sizes[0])
    if args.only in (None, "others"):
        others(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
