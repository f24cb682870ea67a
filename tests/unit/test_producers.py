"""Lists from the software offices print with read exactly like their workbook, or are refused as a whole.

The files are committed in ``tests/fixtures/producers/`` (made by ``python -m lindungi_dev.samples.producers`` with
TCPDF, dompdf, Chromium, LibreOffice Writer and Gnumeric; CI only reads them). ``manifest.json`` says per file what
it must give: ``exact`` (the accepted rows, every value of a worker's record with its warnings, and the rejected
rows with their reasons, in order, equal the source workbook's, and nothing else; ``compare``: a row warned
``pdf_layout_unsure`` may differ in whitespace inside its text) or ``refused`` (a file-level error, no row). No
third outcome: a file read to other rows is a failure. Files the reader does not meet yet are expected to fail
(strict), with what it gave when last recorded (``today``): when the reader is fixed, the test says so, and
``--record`` writes the new outcome.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from lindungi.intake.check import check
from lindungi.intake.report import Report
from lindungi.outcomes import FileError, Reject, Warn
from lindungi_dev.samples import producers
from lindungi_dev.samples.producers import sources
from lindungi_dev.samples.producers.compare import printed, read_alike, rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "producers"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
SOURCES: dict[str, dict[str, str | None]] = MANIFEST["sources"]
FILES: dict[str, dict[str, object]] = MANIFEST["fixtures"]
TODAY = date(2025, 6, 1)

Row = tuple[object, ...]


@cache
def report(name: str, program: str | None) -> Report:
    return check((FIXTURES / name).read_bytes(), name, program, today=TODAY)


def _met(entry: dict[str, object]) -> bool:
    today = str(entry.get("today", ""))
    return today == "exact" if entry["expect"] == "exact" else today.startswith("refused")


def _param(name: str) -> object:
    """A PDF is slow to read (worker processes): ``make unit`` reads the spreadsheets, ``make test`` all."""
    entry = FILES[name]
    marks = [pytest.mark.slow] if name.endswith(".pdf") else []
    if not _met(entry):
        marks.append(pytest.mark.xfail(strict=True, reason=f"the reader does not meet it yet: {entry.get('today')}"))
    return pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", [_param(n) for n in FILES])
def test_a_producers_file_reads_like_its_workbook_or_is_refused(name: str) -> None:
    entry = FILES[name]
    source = SOURCES[str(entry["source"])]
    got = report(name, source["program"])
    if entry["expect"] == "refused":
        assert got.error is not None and got.error is not FileError.STORE_FAILED, "refused as a whole"
        assert not got.accepted and not got.rejected
        return
    assert entry["expect"] == "exact"
    want = report(str(source["workbook"]), source["program"])
    assert got.error is None, (got.error, got.error_detail)
    accepted, rejected = rows(got)
    want_accepted, want_rejected = printed((accepted, rejected), rows(want))
    assert rejected == want_rejected
    assert len(accepted) == len(want_accepted)
    assert [a for a, b in zip(accepted, want_accepted, strict=True) if not read_alike(a, b)] == []


@pytest.mark.parametrize("source", list(SOURCES))
def test_the_sources_hold_the_hard_cases(source: str) -> None:
    """Both outcomes, warnings, a duplicate or a Program column, TMTs of the rows; names that wrap or are not ASCII."""
    entry = SOURCES[source]
    result = report(str(entry["workbook"]), entry["program"])
    assert result.error is None
    accepted, rejected = rows(result)
    assert len(accepted) >= 25 and len(rejected) >= 3
    warnings = {w for row in accepted for w in row[-1]}  # type: ignore[union-attr]
    assert {Warn.PHONE_MULTIPLE, Warn.PHONE_MISSING} <= warnings
    names = {row[1] for row in accepted} | {row[1] for row in rejected}
    assert "NUR FADILLAH" in names and any(len(str(n)) > 25 for n in names)
    assert len({row[4] for row in accepted}) > 1, "TMTs of the rows, not only the program's default"
    if source == "daftar":
        assert any(Reject.DUPLICATE_IN_FILE in row[2] for row in rejected)  # type: ignore[operator]
    if entry["program"] is None:
        assert {row[3] for row in accepted} == {"pekerja-rentan", "pekerja-sawit"}


@pytest.mark.parametrize("producer", ["TCPDF", "dompdf", "Chromium", "LibreOffice Writer", "Gnumeric"])
def test_the_corpus_covers_every_layout_of_each_producer(producer: str) -> None:
    """Each producer's PDFs bordered and not, landscape and portrait, the header repeated and not, and (where
    the producer lays rows out itself) rows split by a page break; Gnumeric's .xlsx, .xls and .ods; every
    file committed."""
    options = [e["options"] for n, e in FILES.items() if e["producer"] == producer and n.endswith(".pdf")]
    wanted: dict[str, set[object]] = {"ruled": {True, False}, "orientation": {"landscape", "portrait"},
                                      "header_repeated": {True, False}}
    if producer != "Gnumeric":
        wanted["rows_split"] = {True, False}
    for key, values in wanted.items():
        assert {o[key] for o in options} == values, key  # type: ignore[index]
    assert {Path(n).suffix for n in FILES if n.startswith("gnumeric-")} == {".pdf", ".xlsx", ".xls", ".ods"}
    assert all((FIXTURES / n).exists() for n in FILES)
    assert all((FIXTURES / str(s["workbook"])).exists() for s in SOURCES.values())


PDFS = [name for name in FILES if name.endswith(".pdf")]


@pytest.mark.slow
@pytest.mark.parametrize("name", PDFS)
def test_every_nik_shaped_number_of_a_pdf_is_in_a_reported_row(name: str) -> None:
    """The report's count of NIK-shaped numbers a PDF prints equals those in the rows it reported, and both equal
    the workbook's NIK cells of 15 to 17 digits (counted from the people it was made of): no worker set aside.
    A refused file reports no row."""
    entry = FILES[name]
    got = report(name, SOURCES[str(entry["source"])]["program"])
    if got.error is not None:
        assert not got.accepted and not got.rejected
        return
    people = sources.cases()[str(entry["source"])].people
    shaped = sum(1 for w in people if re.fullmatch(r"\d{15,17}", w.nik))
    assert got.nik_shaped == (shaped, shaped)


def test_the_manifest_is_what_the_script_makes() -> None:
    """The committed manifest names every fixture the script makes, with the same producer, options, source and
    expectation (so an expectation is changed in the script, where the fixture is defined, not by hand)."""
    made = {f.name: producers.manifest_entry(f) for f in producers.fixtures()}
    assert list(made) == list(FILES)
    for name, entry in made.items():
        assert {k: v for k, v in FILES[name].items() if k != "today"} == entry, name
    assert producers.source_entries() == SOURCES
    daftar = sources.cases()["daftar"].people
    assert [w.nik for w in daftar].count(daftar[4].nik) == 2, "daftar lists one worker twice"
