"""How fast and how lean PDF lists are read: figures to print, not a timed test.

For each layout (ruled Excel "Save as PDF", unruled whitespace-aligned) an 8,504-row
list is timed end to end through ``lindungi.intake.check.check``, beside a naive baseline
measured in the same run: pdfplumber's default ``page.extract_tables()`` over every
page, no tuning (it only extracts; it validates nothing). Runs alternate between the
two so that a busy machine slows both alike; the median of the runs is reported, and
ours once more with a single process, to show what the worker processes bring.

Peak memory is measured for 200 and 1,000 pages, each case in a fresh interpreter:
the parent's peak RSS and the largest worker's, so growth with page count shows.

    uv run python -m lindungi_dev.bench pdf            # full figures (several minutes)
    uv run python -m lindungi_dev.bench pdf --quick    # small, for a smoke run
    uv run python -m lindungi_dev.bench pdf --memory-only
    uv run python -m lindungi_dev.bench pdf --rows 2000   # the speed cases on a 2,000-row list

The same comparison on a 2,000-row list as LibreOffice prints it is ``bench office``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lindungi_dev import samples

from .common import pdf_pages, pdf_table, pdf_workers, peak_mb, timed

ROWS = 8_504
ROWS_PER_PAGE = {"ruled": 35, "unruled": 39}
"""What a landscape page holds in each layout (the ruled one varies with its wrapped rows)."""
LAYOUTS = ("ruled", "unruled")
CACHE = Path(tempfile.gettempdir()) / "lindungi-bench-pdf"


def _people(rows: int) -> tuple[list[samples.Worker], list[samples.Fault]]:
    return samples.plant_faults(samples.workers(rows, "pekerja-rentan", seed=7))


def sample_pdf(layout: str, rows: int) -> Path:
    """The generated list, cached on disk: fpdf2 takes a while over thousands of ruled rows."""
    path = CACHE / f"{layout}-{rows}.pdf"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        people, _ = _people(rows)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(_writer(layout)(people, "pekerja-rentan"))
        tmp.replace(path)
    return path


def _writer(layout: str) -> Callable[[Sequence[samples.Worker], str], bytes]:
    """Imported only here: fpdf2 and Pillow must not count in a memory case's process."""
    from lindungi_dev.samples.pdf import write_ruled, write_unruled

    return {"ruled": write_ruled, "unruled": write_unruled}[layout]


def expected_niks(rows: int) -> list[str]:
    """NIKs that must come out accepted, exactly: every worker but those given a rejecting fault."""
    people, faults = _people(rows)
    rejected = {f.index for f in faults if not f.accepted}
    return sorted(w.nik for i, w in enumerate(people) if i not in rejected)


def _ours(data: bytes, workers: int) -> list[str]:
    from lindungi.intake.check import check
    from lindungi.intake.readers.pdf.workers import WORKERS_ENV

    os.environ[WORKERS_ENV] = str(workers)
    try:
        report = check(data, "daftar.pdf", "pekerja-rentan")
    finally:
        del os.environ[WORKERS_ENV]
    if report.error:
        raise RuntimeError(f"check failed: {report.error.value} {report.error_detail}")
    return sorted(a.nik for a in report.accepted)


def _baseline(data: bytes) -> int:
    """pdfplumber as the README shows it: default table settings on every page."""
    import pdfplumber

    rows = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            rows += sum(len(table) for table in page.extract_tables())
            page.close()
    return rows


def speed(layout: str, rows: int, runs: int) -> dict[str, Any]:
    data = sample_pdf(layout, rows).read_bytes()
    expected = expected_niks(rows)
    warm = _writer(layout)(_people(40)[0], "pekerja-rentan")
    _ours(warm, 1)  # imports and first-use caches are not what is compared
    _baseline(warm)
    ours: list[float] = []
    single: list[float] = []
    base: list[float] = []
    exact = True
    for _ in range(runs):
        seconds, niks = timed(lambda: _ours(data, pdf_workers()))
        ours.append(seconds)
        exact = exact and niks == expected
        seconds, _ = timed(lambda: _baseline(data))
        base.append(seconds)
        seconds, niks = timed(lambda: _ours(data, 1))
        single.append(seconds)
        exact = exact and niks == expected
    ours_median, base_median = statistics.median(ours), statistics.median(base)
    return {
        "case": "speed",
        "layout": layout,
        "rows": rows,
        "pages": pdf_pages(data),
        "runs": runs,
        "workers": pdf_workers(),
        "ours_s": round(ours_median, 2),
        "ours_one_process_s": round(statistics.median(single), 2),
        "baseline_s": round(base_median, 2),
        "ratio": round(base_median / ours_median, 2),
        "niks_exact": exact,
    }


def memory_case(path: str, rows: int, mode: str) -> dict[str, Any]:
    """Run in a fresh interpreter: this process's and the workers' peak RSS.

    ``check``: the whole report, which holds every accepted row (so it grows with the rows);
    ``reader``: the PDF's rows streamed and dropped, what the reader itself needs.
    """
    data = Path(path).read_bytes()
    if mode == "check":
        from lindungi.intake.check import check

        report = check(data, Path(path).name, "pekerja-rentan")
        error = report.error.value if report.error else None
        exact: bool | None = sorted(a.nik for a in report.accepted) == expected_niks(rows)
    else:
        from lindungi.intake.readers import pdf
        from lindungi.settings import Limits

        (table,) = pdf.read(data, Limits())
        count = sum(1 for _ in table.rows)
        error, exact = (None if count > rows else "rows missing"), None
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    parent = peak_mb()
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 2**20
    return {"error": error, "niks_exact": exact, "parent_mb": round(parent, 1), "worker_mb": round(worker, 1)}


def memory(layout: str, pages: int, mode: str) -> dict[str, Any]:
    rows = pages * ROWS_PER_PAGE[layout]
    path = sample_pdf(layout, rows)
    out = subprocess.run(
        [sys.executable, "-m", "lindungi_dev.bench", "pdf", "--memory-case", str(path), str(rows), mode],
        check=True, capture_output=True, text=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    workers = pdf_workers()
    return {
        "case": "memory",
        "mode": mode,
        "layout": layout,
        "pages": pdf_pages(path.read_bytes()),
        "rows": rows,
        "workers": workers,
        **figures,
        "total_mb": round(figures["parent_mb"] + (workers if workers > 1 else 0) * figures["worker_mb"], 1),
    }


def run(quick: bool, speed_cases: bool = True, rows: int | None = None) -> list[dict[str, Any]]:
    """All figures; ``quick`` makes them small enough for a smoke run (not for conclusions); ``rows`` sets the
    speed cases' list length (``--rows 2000``: the size the reader's 5x over ``extract_tables()`` is held at)."""
    default, runs, page_counts = (600, 1, (20, 60)) if quick else (ROWS, 3, (200, 1_000))
    rows = rows or default
    results: list[dict[str, Any]] = []
    for layout in LAYOUTS if speed_cases else ():
        results.append(speed(layout, rows, runs))
    for layout in LAYOUTS:
        for mode in ("check", "reader"):
            for pages in page_counts:
                results.append(memory(layout, pages, mode))
    return results


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench pdf", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small, for a smoke run")
    parser.add_argument("--memory-only", action="store_true", help="the memory cases only")
    parser.add_argument("--rows", type=int, help=f"rows of the speed cases' lists (default {ROWS:,})")
    parser.add_argument("--memory-case", nargs=3, metavar=("FILE", "ROWS", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_case:
        path, rows, mode = args.memory_case
        print(json.dumps(memory_case(path, int(rows), mode)))
        return
    print(f"CPUs available: {pdf_workers()}  (PDF worker processes)", flush=True)
    print(pdf_table(run(quick=args.quick, speed_cases=not args.memory_only, rows=args.rows)))

