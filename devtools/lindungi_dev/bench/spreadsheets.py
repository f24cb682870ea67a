"""Parse and validate spreadsheets and CSV (``lindungi.intake.check.check``) beside the bare reader.

Every measurement runs in a fresh subprocess (no warm caches, honest peak memory), several times, and the
median is printed. The baseline is measured in the same run on the same file: for spreadsheets the bare
reader (python-calamine ``iter_rows`` over every sheet, reading every cell), for CSV ``csv.reader`` over the
decoded text.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .common import PROGRAM, peak_mb, print_table, sample_list, verdict

FORMATS = ("xlsx", "xls", "csv")
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 200.0


# ------------------------------------------------------------------------------------------ child


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


def child(mode: str, path: str) -> None:
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
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak_mb()}))


# ----------------------------------------------------------------------------------------- parent


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


def run(sizes: Sequence[int], runs: int) -> None:
    rows = []
    for size in sizes:
        for kind in FORMATS:
            path = sample_list(size, kind)
            full = _measure("check", path, runs)
            bare = _measure("bare", path, runs)
            ratio = full["seconds"] / bare["seconds"]
            peak_target = kind == "xlsx" and size == 100_000
            outcome = verdict(ratio <= TARGET_RATIO)
            if peak_target:
                outcome += "/" + verdict(full["peak_mb"] < TARGET_PEAK_MB)
            rows.append([
                f"{size:,}", f".{kind}", f"{full['rows']:,}", f"{full['seconds']:.3f}",
                f"{full['rows'] / full['seconds']:,.0f}", f"{bare['seconds']:.3f}", f"{ratio:.2f}x",
                f"{full['peak_mb']:.0f}", f"{bare['peak_mb']:.0f}", outcome,
            ])
    print_table(
        f"Parse and validate (lindungi.intake.check.check), median of {runs} fresh processes; "
        f"targets: <= {TARGET_RATIO:.0f}x the bare reader, 100,000-row .xlsx peak < {TARGET_PEAK_MB:.0f} MB",
        ["list", "format", "worker rows", "check s", "rows/s", "bare s", "ratio", "peak MB", "bare peak MB", "verdict"],
        rows,
    )
