"""How fast and how lean PDF lists are read: figures to print, not a timed test.

For each layout (ruled Excel "Save as PDF", unruled whitespace-aligned) an 8,504-row
list is timed end to end through ``lindungi.intake.check.check``, beside a naive baseline
measured in the same run: pdfplumber's default ``page.extract_tables()`` over every
page, no tuning (it only extracts; it validates nothing). Runs alternate between the
two so that a busy machine slows both alike; the median of the runs is reported, and
ours once more with a single process, to show what the worker processes bring.

Peak memory is measured for 200 and 1,000 pages, each case in a fresh interpreter:
the parent's peak RSS and the largest worker's, so growth with page count shows.

    uv run python -m lindungi_dev.bench_pdf            # full figures (several minutes)
    uv run python -m lindungi_dev.bench_pdf --quick    # small, for a smoke run
    uv run python -m lindungi_dev.bench_pdf --memory-only
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import samples

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
    from . import pdfsamples

    return {"ruled": pdfsamples.write_ruled, "unruled": pdfsamples.write_unruled}[layout]


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


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _pages(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


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
        seconds, niks = _timed(lambda: _ours(data, _default_workers()))
        ours.append(seconds)
        exact = exact and niks == expected
        seconds, _ = _timed(lambda: _baseline(data))
        base.append(seconds)
        seconds, niks = _timed(lambda: _ours(data, 1))
        single.append(seconds)
        exact = exact and niks == expected
    ours_median, base_median = statistics.median(ours), statistics.median(base)
    return {
        "case": "speed",
        "layout": layout,
        "rows": rows,
        "pages": _pages(data),
        "runs": runs,
        "workers": _default_workers(),
        "ours_s": round(ours_median, 2),
        "ours_one_process_s": round(statistics.median(single), 2),
        "baseline_s": round(base_median, 2),
        "ratio": round(base_median / ours_median, 2),
        "niks_exact": exact,
    }


def _default_workers() -> int:
    from lindungi.intake.readers.pdf.workers import worker_count

    return worker_count()


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
    parent = _own_peak_mb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 2**20
    return {"error": error, "niks_exact": exact, "parent_mb": round(parent, 1), "worker_mb": round(worker, 1)}


def _own_peak_mb() -> float | None:
    """This process's peak RSS. Not ``ru_maxrss``: Linux carries that over ``execve``, so a fresh
    interpreter would report the bench's own peak (fpdf2 writing thousands of rows) instead."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def memory(layout: str, pages: int, mode: str) -> dict[str, Any]:
    rows = pages * ROWS_PER_PAGE[layout]
    path = sample_pdf(layout, rows)
    out = subprocess.run(
        [sys.executable, "-m", "lindungi_dev.bench_pdf", "--memory-case", str(path), str(rows), mode],
        check=True, capture_output=True, text=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    workers = _default_workers()
    return {
        "case": "memory",
        "mode": mode,
        "layout": layout,
        "pages": _pages(path.read_bytes()),
        "rows": rows,
        "workers": workers,
        **figures,
        "total_mb": round(figures["parent_mb"] + (workers if workers > 1 else 0) * figures["worker_mb"], 1),
    }


def run(quick: bool, speed_cases: bool = True) -> list[dict[str, Any]]:
    """All figures; ``quick`` makes them small enough for a smoke run (not for conclusions)."""
    rows, runs, page_counts = (600, 1, (20, 60)) if quick else (ROWS, 3, (200, 1_000))
    results: list[dict[str, Any]] = []
    for layout in LAYOUTS if speed_cases else ():
        results.append(speed(layout, rows, runs))
    for layout in LAYOUTS:
        for mode in ("check", "reader"):
            for pages in page_counts:
                results.append(memory(layout, pages, mode))
    if speed_cases:  # the same figures on lists as LibreOffice prints them
        from . import bench_office

        results.extend(bench_office.run(quick))
    return results


def table(results: Sequence[dict[str, Any]]) -> str:
    lines = [
        f"{'layout':<10} {'rows':>6} {'pages':>5} {'runs':>4} {'ours s':>7} {'1-proc s':>8} {'baseline s':>10} "
        f"{'ratio':>6}  NIKs exact",
    ] if any(r["case"] == "speed" for r in results) else []
    for r in results:
        if r["case"] == "speed":
            lines.append(
                f"{r['layout']:<10} {r['rows']:>6} {r['pages']:>5} {r['runs']:>4} {r['ours_s']:>7.2f} "
                f"{r['ours_one_process_s']:>8.2f} {r['baseline_s']:>10.2f} {r['ratio']:>5.2f}x  "
                f"{'yes' if r['niks_exact'] else 'NO'}"
            )
    lines += ["", f"{'memory':<18} {'pages':>5} {'rows':>6} {'parent MB':>9} {'worker MB':>9} {'total MB':>8}  "
              "NIKs exact"]
    for r in results:
        if r["case"] == "memory":
            exact = "-" if r["niks_exact"] is None else "yes" if r["niks_exact"] else "NO"
            lines.append(
                f"{r['layout'] + ' ' + r['mode']:<18} {r['pages']:>5} {r['rows']:>6} {r['parent_mb']:>9.1f} "
                f"{r['worker_mb']:>9.1f} {r['total_mb']:>8.1f}  {exact if not r['error'] else r['error']}"
            )
    lines.append("")
    lines.append(
        "ours = lindungi.intake.check.check end to end (read, headers, validation); baseline = default "
        "page.extract_tables() on every page, extraction only.\nmemory: check = the whole report (it keeps "
        "every accepted row); reader = rows streamed and dropped. total MB = parent + workers x worker peak "
        "(an upper bound: forked workers share pages with the parent)."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--memory-case"]:
        print(json.dumps(memory_case(args[1], int(args[2]), args[3])))
        return
    print(f"CPUs available: {_default_workers()}  (PDF worker processes)", flush=True)
    print(table(run(quick="--quick" in args, speed_cases="--memory-only" not in args)))


if __name__ == "__main__":
    main()
