"""Lists from the software offices really print with: the corpus of ``tests/fixtures/producers/``.

The project's own sample workbooks (``sources``: ``daftar``, and the office corpus's ``campuran`` and
``kecamatan``) printed or saved by the producers Indonesian offices use: TCPDF (``Cell()``/``MultiCell()``
reports and ``writeHTML()`` tables) and dompdf, what PHP web applications print with; Chromium's "Save as
PDF" of a print view; LibreOffice Writer, the list typed as a table inside a letter (``.odt``, and the same
letter saved as ``.docx`` first); Gnumeric, its PDF and its ``.xlsx``, ``.xls`` and ``.ods``. Each is made
bordered and not, landscape and portrait, the header repeated on each page and not, rows kept whole and
split by a page break, long names that wrap, the row number right-aligned.

``manifest.json`` says of every fixture: its producer, how it was made (``options``), its source workbook
(``<source>.xlsx``, committed beside it), the outcome it must have (``expect``: ``exact``, the workbook's
accepted and rejected rows and nothing else, or ``refused``, a file-level error) and what the reader
gave when it was last recorded (``today``). CI has none of the producers: tests read the committed files.

    .venv/bin/python -m lindungi_dev.samples.producers            # make every fixture (needs the producers) and record
    .venv/bin/python -m lindungi_dev.samples.producers --record   # only record today's outcomes (no producer needed)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lindungi_dev.samples import office_exports
from lindungi_dev.samples.producers import render, run, sources
from lindungi_dev.samples.producers.render import Print

OUT = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "producers"
TODAY = date(2025, 6, 1)
"""The day the lists are checked on (their TMTs are in 2025)."""


@dataclass(frozen=True)
class Fixture:
    name: str
    producer: str
    method: str
    source: str
    how: Print | None
    make: Callable[[Path], bytes]
    """Makes the file's bytes, given a scratch folder."""
    expect: str = "exact"
    note: str = ""
    options: dict[str, object] | None = None
    """How a workbook was printed (Gnumeric), where ``how`` is None."""


def _table(name: str) -> sources.Table:
    return sources.table(sources.cases()[name])


def _cells(source: str, how: Print, wrap: bool) -> Callable[[Path], bytes]:
    return lambda _: run.tcpdf_cells(render.cell_job(_table(source), how, wrap=wrap))


def _tcpdf_html(source: str, how: Print) -> Callable[[Path], bytes]:
    return lambda _: run.tcpdf_html(render.html(_table(source), how, tcpdf=True), how.landscape, how.font_pt)


def _dompdf(source: str, how: Print) -> Callable[[Path], bytes]:
    return lambda _: run.dompdf(render.html(_table(source), how, font="Helvetica, Arial, sans-serif"), how.landscape)


def _chromium(source: str, how: Print, header_footer: bool) -> Callable[[Path], bytes]:
    return lambda _: run.chromium(render.html(_table(source), how), header_footer)


def _writer(source: str, how: Print, via_docx: bool) -> Callable[[Path], bytes]:
    def make(work: Path) -> bytes:
        letter = work / "surat.fodt"
        letter.write_text(render.letter(_table(source), how), encoding="utf-8")
        profile, out = work / "profile", work / "out"
        document = run.soffice(letter, "odt", out, profile)
        if via_docx:
            document = run.soffice(document, 'docx:MS Word 2007 XML', out, profile)
            document = document.rename(out / "surat-docx.docx")
        return run.soffice(document, "pdf", out / "pdf", profile).read_bytes()

    return make


def _gnumeric(source: str, suffix: str, ruled: bool = False, portrait: bool = False,
              repeat: bool = True) -> Callable[[Path], bytes]:
    def make(work: Path) -> bytes:
        book = work / f"{source}.xlsx"
        book.write_bytes(office_exports.workbook(sources.cases()[source], ruled=ruled, portrait=portrait,
                                                 repeat=repeat))
        target = work / f"gnumeric.{suffix}"
        run.ssconvert(book, target)
        return target.read_bytes()

    return make


def _sheet(ruled: bool = False, portrait: bool = False, repeat: bool = True) -> dict[str, object]:
    """The print set-up of the workbook Gnumeric prints (landscape fitted to one page wide, or portrait at 100%)."""
    return {"ruled": ruled, "orientation": "portrait" if portrait else "landscape", "header_repeated": repeat,
            "fit_to_width": not portrait}


LAND, PORT = Print(font_pt=8.0), Print(landscape=False, font_pt=7.5, all_columns=False)


def fixtures() -> list[Fixture]:
    plain, split = Print(ruled=False, font_pt=8.0), Print(landscape=False, split_rows=True, font_pt=7.0)
    out = [
        Fixture("tcpdf-cell-ruled-landscape.pdf", "TCPDF", "Cell()", "daftar", LAND, _cells("daftar", LAND, False)),
        Fixture("tcpdf-cell-plain-landscape.pdf", "TCPDF", "Cell()", "daftar", plain, _cells("daftar", plain, False)),
        Fixture("tcpdf-multicell-ruled-portrait.pdf", "TCPDF", "MultiCell()", "campuran", PORT,
                _cells("campuran", PORT, True)),
        Fixture("tcpdf-multicell-plain-portrait-norepeat.pdf", "TCPDF", "MultiCell()", "campuran",
                p := Print(ruled=False, landscape=False, repeat_header=False, font_pt=7.5, all_columns=False),
                _cells("campuran", p, True)),
        Fixture("tcpdf-html-ruled-landscape.pdf", "TCPDF", "writeHTML()", "campuran", LAND,
                _tcpdf_html("campuran", LAND)),
        Fixture("tcpdf-html-ruled-portrait-split.pdf", "TCPDF", "writeHTML()", "campuran", split,
                _tcpdf_html("campuran", split)),
        Fixture("tcpdf-html-plain-landscape-norepeat.pdf", "TCPDF", "writeHTML()", "daftar",
                p := Print(ruled=False, repeat_header=False), _tcpdf_html("daftar", p)),
        Fixture("dompdf-ruled-portrait.pdf", "dompdf", "HTML table", "campuran", PORT, _dompdf("campuran", PORT)),
        Fixture("dompdf-plain-landscape.pdf", "dompdf", "HTML table", "daftar", plain, _dompdf("daftar", plain)),
        Fixture("dompdf-ruled-landscape-norepeat.pdf", "dompdf", "HTML table", "daftar",
                p := Print(repeat_header=False), _dompdf("daftar", p)),
        Fixture("chromium-ruled-landscape.pdf", "Chromium", "Save as PDF", "daftar", LAND,
                _chromium("daftar", LAND, header_footer=False)),
        Fixture("chromium-plain-portrait-split-headers.pdf", "Chromium", "Save as PDF, headers and footers",
                "campuran", p := Print(ruled=False, landscape=False, split_rows=True, font_pt=7.5, all_columns=False),
                _chromium("campuran", p, header_footer=True)),
        Fixture("chromium-ruled-portrait-split-norepeat.pdf", "Chromium", "Save as PDF", "campuran",
                p := Print(landscape=False, repeat_header=False, split_rows=True, font_pt=7.0),
                _chromium("campuran", p, header_footer=False)),
        Fixture("writer-odt-ruled-landscape.pdf", "LibreOffice Writer", "letter .odt, Export as PDF", "daftar", LAND,
                _writer("daftar", LAND, via_docx=False)),
        Fixture("writer-odt-plain-portrait-split.pdf", "LibreOffice Writer", "letter .odt, Export as PDF", "campuran",
                p := Print(ruled=False, landscape=False, split_rows=True, font_pt=7.5, all_columns=False),
                _writer("campuran", p, via_docx=False)),
        Fixture("writer-docx-ruled-portrait-split.pdf", "LibreOffice Writer", "letter saved as .docx, Export as PDF",
                "campuran", split, _writer("campuran", split, via_docx=True)),
        Fixture("dompdf-ruled-portrait-split.pdf", "dompdf", "HTML table", "campuran", split,
                _dompdf("campuran", split)),
        Fixture("writer-odt-ruled-portrait-norepeat.pdf", "LibreOffice Writer", "letter .odt, Export as PDF",
                "daftar", p := Print(landscape=False, repeat_header=False, split_rows=True, font_pt=7.5,
                                     all_columns=False), _writer("daftar", p, via_docx=False)),
        Fixture("gnumeric-daftar.pdf", "Gnumeric", "ssconvert to PDF", "daftar", None, _gnumeric("daftar", "pdf"),
                options=_sheet(), note="Gnumeric clips a long address at the next cell on the page; the text "
                "layer still holds the clipped words, over the next column"),
        Fixture("gnumeric-campuran-ruled.pdf", "Gnumeric", "ssconvert to PDF", "campuran", None,
                _gnumeric("campuran", "pdf", ruled=True), options=_sheet(ruled=True)),
        Fixture("gnumeric-campuran-norepeat.pdf", "Gnumeric", "ssconvert to PDF", "campuran", None,
                _gnumeric("campuran", "pdf", repeat=False), options=_sheet(repeat=False)),
        Fixture("gnumeric-daftar-portrait.pdf", "Gnumeric", "ssconvert to PDF", "daftar", None,
                _gnumeric("daftar", "pdf", portrait=True), expect="refused", options=_sheet(portrait=True),
                note="the columns that do not fit the page are printed on pages of their own: no page holds a "
                     "whole row, so it cannot be read surely"),
    ]
    for source in ("daftar", "campuran", "kecamatan"):
        for suffix in ("xlsx", "xls", "ods"):
            out.append(Fixture(f"gnumeric-{source}.{suffix}", "Gnumeric", f"ssconvert to .{suffix} (Save As)", source,
                               None, _gnumeric(source, suffix)))
    return out


def manifest_entry(fixture: Fixture) -> dict[str, object]:
    entry: dict[str, object] = {"producer": fixture.producer, "method": fixture.method, "source": fixture.source}
    if fixture.how is not None:
        entry["options"] = fixture.how.options()
    elif fixture.options is not None:
        entry["options"] = fixture.options
    entry["expect"] = fixture.expect
    if fixture.note:
        entry["note"] = fixture.note
    return entry


def source_entries() -> dict[str, dict[str, object]]:
    return {name: {"workbook": f"{name}.xlsx", "program": case.program} for name, case in sources.cases().items()}


def write_sources(out: Path) -> None:
    for name, case in sources.cases().items():
        (out / f"{name}.xlsx").write_bytes(office_exports.workbook(case, ruled=False))


def load(out: Path = OUT) -> dict[str, object]:
    path = out / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save(manifest: dict[str, object], out: Path = OUT) -> None:
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
