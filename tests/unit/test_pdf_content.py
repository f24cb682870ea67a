"""The regular-expression content-stream reader gives the device exactly what pdfminer's parser gives it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdfpage import PDFPage

from lindungi.intake.readers.pdf import glyphs, workers
from lindungi_dev import samples
from lindungi_dev.samples import pdf as pdfsamples

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "office"


def _awkward() -> bytes:
    """Strings with parentheses, backslashes and octal escapes, a picture drawn inline, dashes and curves."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for k, text in enumerate(["SITI (ALIAS) AMINAH", "C:\\Daftar\\(2025)", "a ((nested)) b", "tab\there"]):
        pdf.text(10, 20 + 6 * k, text)
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.line(10, 60, 100, 60)
    pdf.ellipse(10, 70, 20, 10)
    return bytes(pdf.output())


def _documents() -> list[tuple[str, bytes]]:
    people = samples.plant_faults(samples.workers(60, "pekerja-rentan", seed=3))[0]
    docs = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.glob("*.pdf"))]
    return [*docs, ("own-ruled", pdfsamples.write_ruled(people)), ("own-unruled", pdfsamples.write_unruled(people)),
            ("awkward-strings", _awkward())]


@pytest.mark.parametrize(("name", "data"), _documents(), ids=[n for n, _ in _documents()])
def test_pages_read_the_same_as_with_pdfminers_parser(name: str, data: bytes) -> None:
    pdf = workers.open_document(data)
    pages = list(PDFPage.create_pages(pdf.doc))
    for number, page in enumerate(pages, start=1):
        fast = glyphs.extract_page(pdf, page, number)
        assert fast == glyphs.extract_page(pdf, page, number, PDFPageInterpreter), (name, number)
        assert fast.glyphs > 0
