"""The PDF figures on lists as LibreOffice prints them, beside pdfplumber's default ``extract_tables()``.

A long "campuran" list (both programs, a Program column, wrapped header labels, TMT as dates; see
``office_exports``) is written as a workbook in both prints (default: no borders, columns widened to
their content; All Borders) and exported by headless LibreOffice, once, into a cache. Each PDF is
read end to end by ``check`` (workers as configured, and in one process) and by pdfplumber's default
``extract_tables()`` over every page, alternating, medians of the runs. "rows exact" is ours: every
accepted and rejected row equal to the workbook's own report; "baseline NIK cells" is how many of the
workbook's NIKs pdfplumber's tables hold as a cell of their own. Peak memory is measured for the
reader in a fresh interpreter, as ``bench.pdf`` does. Without LibreOffice the committed fixtures of
``tests/fixtures/office`` (a few dozen rows: figures too small to conclude from) are used instead.

    .venv/bin/python -m lindungi_dev.bench office [--quick]
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lindungi_dev import samples
from lindungi_dev.samples import office_exports

from .common import pdf_pages, pdf_table, pdf_workers, timed

CACHE = Path(tempfile.gettempdir()) / "lindungi-bench-office"
PRINTS = {"lo-unruled": False, "lo-ruled": True}


def _case(rows: int) -> office_exports.Case:
    sawit = rows // 3
    rentan = samples.plant_faults(samples.workers(rows - sawit, "pekerja-rentan", seed=31))[0]
    other = samples.plant_faults(samples.workers(sawit, "pekerja-sawit", seed=32))[0]
    people = [w for pair in zip(rentan[::2], rentan[1::2], other, strict=False) for w in pair]
    return replace(office_exports.cases()[1], name=f"bench-{len(people)}", people=tuple(people))


def exports(rows: int) -> tuple[Path, dict[str, Path]]:
    """The workbook and its two PDFs, made once per size (LibreOffice takes a while)."""
    if shutil.which("soffice") is None:
        fixtures = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "office"
        return fixtures / "campuran.xlsx", {
            "lo-unruled": fixtures / "campuran.pdf", "lo-ruled": fixtures / "campuran-ruled.pdf"}
    case = _case(rows)
    folder = CACHE / case.name
    pdfs = {name: folder / f"{case.name}{'-ruled' if ruled else ''}.pdf" for name, ruled in PRINTS.items()}
    if not all(p.exists() for p in pdfs.values()):
        folder.mkdir(parents=True, exist_ok=True)
        books = []
        for ruled in PRINTS.values():
            book = folder / f"{case.name}{'-ruled' if ruled else ''}.xlsx"
            book.write_bytes(office_exports.workbook(case, ruled=ruled))
            books.append(book)
        with tempfile.TemporaryDirectory() as profile:
            office_exports.soffice("pdf", books, folder, Path(profile))
    return folder / f"{case.name}.xlsx", pdfs


def _outcomes(data: bytes, name: str, workers: int) -> list[tuple[Any, ...]]:
    import os

    from lindungi.intake.check import check
    from lindungi.intake.readers.pdf.workers import WORKERS_ENV

    os.environ[WORKERS_ENV] = str(workers)
    try:
        report = check(data, name, None)
    finally:
        del os.environ[WORKERS_ENV]
    if report.error:
        return [("error", report.error.value)]
    return [(a.nik, a.name, a.phone, a.program, a.coverage_start, tuple(a.warnings)) for a in report.accepted] + [
        (r.nik, r.name, tuple(r.reasons)) for r in report.rejected]


def _baseline_cells(data: bytes) -> set[str]:
    import pdfplumber

    cells: set[str] = set()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                cells.update((c or "").strip() for row in table for c in row)
            page.close()
    return cells


def speed(name: str, pdf: Path, expected: list[tuple[Any, ...]], runs: int) -> dict[str, Any]:
    data = pdf.read_bytes()
    workers = pdf_workers()
    niks = {row[0] for row in expected if row[0]}
    ours: list[float] = []
    single: list[float] = []
    base: list[float] = []
    exact = True
    found = 0
    for _ in range(runs):
        seconds, got = timed(lambda: _outcomes(data, pdf.name, workers))
        ours.append(seconds)
        exact = exact and got == expected
        seconds, cells = timed(lambda: _baseline_cells(data))
        base.append(seconds)
        found = len(niks & cells)  # type: ignore[operator]
        seconds, got = timed(lambda: _outcomes(data, pdf.name, 1))
        single.append(seconds)
        exact = exact and got == expected
    ours_median, base_median = statistics.median(ours), statistics.median(base)
    return {
        "case": "speed", "layout": name, "rows": len(expected), "pages": pdf_pages(data), "runs": runs,
        "workers": workers, "ours_s": round(ours_median, 2), "ours_one_process_s": round(statistics.median(single), 2),
        "baseline_s": round(base_median, 2), "ratio": round(base_median / ours_median, 2), "niks_exact": exact,
        "baseline_nik_cells": f"{found}/{len(niks)}",
    }


def memory(name: str, pdf: Path, rows: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "lindungi_dev.bench", "pdf", "--memory-case", str(pdf), "0", "reader"],
        check=True, capture_output=True, text=True,
    )
    import json

    figures = json.loads(out.stdout.strip().splitlines()[-1])
    workers = pdf_workers()
    return {
        "case": "memory", "mode": "reader", "layout": name, "pages": pdf_pages(pdf.read_bytes()),
        "rows": rows, "workers": workers, **figures, "error": None, "niks_exact": None,
        "total_mb": round(figures["parent_mb"] + (workers if workers > 1 else 0) * figures["worker_mb"], 1),
    }


def run(quick: bool) -> list[dict[str, Any]]:
    rows, runs = (300, 1) if quick else (2_000, 3)
    book, pdfs = exports(rows)
    expected = _outcomes(book.read_bytes(), book.name, 1)
    _outcomes(pdfs["lo-ruled"].read_bytes(), "warm.pdf", 1)  # imports and first-use caches
    results = [speed(name, pdf, expected, runs) for name, pdf in pdfs.items()]
    results += [memory(name, pdf, len(expected)) for name, pdf in pdfs.items()]
    return results


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench office", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 rows, one run")
    figures = run(parser.parse_args(argv).quick)
    print(pdf_table(figures))
    for r in figures:
        if r["case"] == "speed":
            print(f"{r['layout']}: pdfplumber default tables hold {r['baseline_nik_cells']} NIKs as a cell")
