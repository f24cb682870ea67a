"""A name wrapped in a narrow bordered cell: a line break proven at a space, or the row warned.

fpdf2 prints each line of a wrapped cell as its own string without a trailing space, whether it broke at a
space or inside a word; the rule (``ruled.broke_at_space``) is held here to pdfplumber's own chars of small
fpdf2 tables, whose true breaks are known from the text printed.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from fpdf import FPDF
from pdfminer.pdfpage import PDFPage

from lindungi.config import programs
from lindungi.intake.check import check
from lindungi.intake.fields import Field
from lindungi.intake.readers.pdf import glyphs, ruled, workers
from lindungi.intake.validate import RowValidator
from lindungi.outcomes import Warn
from lindungi.rows import Accepted, RowRef
from lindungi_dev import samples
from lindungi_dev.samples import pdf as pdfsamples
from tests.builders import BUDI, SITI, TODAY, pdf_lines

PAD_MM = 0.8
"""fpdf2's horizontal cell padding, as the sample writer prints its tables."""
FONT_PT = 7.0


def _cell_pdf(text: str, inner_mm: float) -> bytes:
    """A bordered two-column table whose second cell, ``inner_mm`` wide inside its padding, holds ``text``."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "", FONT_PT)
    width = inner_mm + 2 * PAD_MM
    with pdf.table(width=10 + width, col_widths=(10, width), text_align="LEFT", line_height=3.0,
                   borders_layout="ALL", padding=(0.4, PAD_MM), first_row_as_headings=False) as table:
        table.row(["1", text])
    return bytes(pdf.output())


def _width_mm(text: str) -> float:
    pdf = FPDF(unit="mm")
    pdf.set_font("Helvetica", "", FONT_PT)
    return float(pdf.get_string_width(text))


def _breaks(text: str, inner_mm: float) -> list[tuple[str, bool, bool]]:
    """Each line break fpdf2 made in the cell: (the line before it, without spaces; whether ``text`` has a space
    there; whether ``broke_at_space`` proves one from pdfplumber's chars and the cell's rules)."""
    page = pdfplumber.open(io.BytesIO(_cell_pdf(text, inner_mm))).pages[0]
    rules: list[float] = []
    for x in sorted(e["x0"] for e in page.edges if e["orientation"] == "v"):
        if not rules or x - rules[-1] > ruled.RULE_SNAP:  # two cells' borders drawn on one line
            rules.append(x)
    left, right = rules[1], rules[2]
    lines: list[list[dict[str, Any]]] = []
    for char in sorted((c for c in page.chars if left < c["x0"] < right), key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(char["top"] - lines[-1][0]["top"]) < 1:
            lines[-1].append(char)
        else:
            lines.append([char])
    glyphs = [[c for c in line if c["text"] != " "] for line in lines]
    inner = right - left - 2 * (min(line[0]["x0"] for line in glyphs) - left)
    assert "".join(c["text"] for line in glyphs for c in line) == text.replace(" ", "")
    out = []
    letters = 0
    for n, (upper, lower) in enumerate(pairwise(glyphs)):
        words = 1 + sum(1 for c in lines[n] if c["text"] == " ")
        letters += len(upper)
        proven = ruled.broke_at_space(words, upper[-1]["x1"] - upper[0]["x0"], lower[0]["x1"] - lower[0]["x0"], inner)
        out.append(("".join(c["text"] for c in upper), _space_after(text, letters), proven))
    return out


def _space_after(text: str, letters: int) -> bool:
    """Is there a space in ``text`` right after its first ``letters`` letters (spaces not counted)?"""
    seen = 0
    for i, ch in enumerate(text):
        seen += ch != " "
        if seen == letters:
            return text[i + 1 : i + 2] == " "
    return False


K = _width_mm("KURNIAWAN")


@pytest.mark.parametrize(("text", "inner_mm", "expected"), [
    pytest.param("SITI AMINAH HASANAH", _width_mm("SITI AMINAH") + 1.0, [("SITIAMINAH", True, True)],
                 id="at a space: the line holds one"),
    pytest.param("SRI PURNAMASARI", _width_mm("PURNAMASARI") + 0.5, [("SRI", True, True)],
                 id="at a space: the next glyph would have fitted"),
    pytest.param("AGUS SANTOSO", _width_mm("SANTOSO") + 1.0, [("AGUS", True, True)],
                 id="at a space: two words each fitting"),
    pytest.param("KURNIAWAN DEDI", K + _width_mm("D") + 0.1, [("KURNIAWAN", True, True)],
                 id="at a space: the next glyph just fits"),
    pytest.param("KURNIAWAN DEDI", K + _width_mm("D") / 2, [("KURNIAWAN", True, False)],
                 id="at a space, unprovable: one word fills the line"),
    pytest.param("SRIWAHYUNINGSIH", _width_mm("SRIWAHYUNI") + 0.3, [("SRIWAHYUNI", False, False)],
                 id="inside a word: never taken for a space"),
    pytest.param("SRI PURNAMASARI YULIANTI", _width_mm("PURNAMASA") + 0.3,
                 [("SRI", True, True), ("PURNAMASA", False, False)], id="both in one cell"),
])
def test_a_line_break_is_placed_at_a_space_only_where_proven(
    text: str, inner_mm: float, expected: list[tuple[str, bool, bool]]
) -> None:
    assert _breaks(text, inner_mm) == expected


def _people(names: list[str]) -> list[samples.Worker]:
    base = samples.Worker(nik="6172014509850003", name="", phone="081234567890", birth_date=date(1985, 9, 5),
                          gender="P", address="Jl. Pasiran No. 1", kelurahan="Pasiran",
                          kecamatan="Singkawang Barat", occupation="Pedagang", tmt="01-01-2025",
                          program="pekerja-rentan")
    return [replace(base, name=name, nik=f"61720145098500{n + 1:02d}") for n, name in enumerate(names)]


def _read(names: list[str]) -> list[Accepted]:
    report = check(pdfsamples.write_table(_people(names), ruled=True, landscape=False), "daftar.pdf",
                   "pekerja-rentan", today=date(2025, 6, 1))
    assert report.error is None, report.error_detail
    assert not report.rejected
    return report.accepted


def test_a_name_broken_inside_a_word_is_read_with_a_space_and_warned() -> None:
    """fpdf2's portrait table: the name column holds "SRIWAHYUNI" a line; the break inside "SRIWAHYUNINGSIH"
    cannot be told from two words, so the row is warned; "SRI" over "KURNIASIH" is proven, not warned."""
    rows = _read(["SRIWAHYUNINGSIH", "SRI KURNIASIH", "SITI AMINAH"])
    assert [(r.name, r.warnings) for r in rows] == [
        ("SRIWAHYUNI NGSIH", [Warn.PDF_LAYOUT_UNSURE]),
        ("SRI KURNIASIH", []),
        ("SITI AMINAH", []),
    ]


def test_many_unplaced_breaks_on_a_page_do_not_refuse_it() -> None:
    """The page rule (many rows unsure where their cells are: refused) does not count a doubt about one value:
    every row's name broken the same way is every row warned, and the list read."""
    rows = _read(["SRIWAHYUNINGSIH"] * 12)
    assert [(r.name, r.warnings) for r in rows] == [("SRIWAHYUNI NGSIH", [Warn.PDF_LAYOUT_UNSURE])] * 12


COLUMNS = {Field.NIK: 0, Field.NAME: 1, Field.KECAMATAN: 2}


@pytest.mark.parametrize(("spacing", "warned"), [
    (frozenset(), False),
    (frozenset({1}), True),  # the name's line break could not be placed
    (frozenset({2}), True),  # nor the kecamatan's ("SIJANGKU" over "NG" in capitals: a place read wrong too)
])
def test_an_unplaced_line_break_in_a_text_value_warns(spacing: frozenset[int], warned: bool) -> None:
    config = programs()
    row = ["6172014509850003", "SRIWAHYUNI NGSIH", "SINGKAWANG BARAT"]
    outcome = RowValidator(config, config.get("pekerja-rentan"), date(2025, 6, 1)).validate(
        RowRef(line=3), row, COLUMNS, (), spacing)
    assert isinstance(outcome, Accepted)
    assert (Warn.PDF_LAYOUT_UNSURE in outcome.warnings) is warned


@pytest.mark.parametrize(("upper", "lower", "starts"), [
    ("Singkawang", "Barat", True),  # a narrow kecamatan column, every row
    ("Tjhai Bong Mui", "Fa", True),
    ("Sijangku", "ng", False),  # a word going on
    ("Ahmad", "bin Yusuf", False),  # small letters on both sides say nothing
    ("SRIWAHYUNI", "NGSIH", False),  # capitals only say nothing
    ("SITI", "Aminah", False),
    ("Jl. Kuala No.", "39", False),
    ("", "Barat", False),
])
def test_a_capital_after_a_small_letter_starts_a_word(upper: str, lower: str, starts: bool) -> None:
    assert ruled.word_starts(upper, lower) is starts
    assert ruled.unplaced(upper, lower) is (not starts and bool(upper) and not upper.endswith("No."))


@pytest.mark.parametrize(("upper", "lower", "unplaced"), [
    ("SRIWAHYUNI", "NGSIH", True),  # a name going on over a page break: no page gives the other's widths
    ("SITI AMINAH", "HASANAH", True),
    ("0812-", "3456-7890", False),  # a number goes on
    ("61720145098500", "03", False),
    ("", "HASANAH", False),  # nothing to join
])
def test_a_cells_break_over_a_page_is_placed_only_for_a_number(upper: str, lower: str, unplaced: bool) -> None:
    assert ruled.unplaced(upper, lower) is unplaced


EDGES = [10.0, 18.0, 55.0, 100.0, 130.0]
"""Column rules of a hand-made bordered list (mm): the name's cell is 45 mm wide, its text 1 mm inside."""


def _filling(size: float, inner_mm: float) -> str:
    """A word of letters that fills a line ``inner_mm`` wide, an "N" after it no longer fitting."""
    pdf = FPDF(unit="mm")
    pdf.set_font("Helvetica", "", size)
    word = ""
    for letter in "SRIWAHYUNINGSIHKURNIAWATIPURNAMASARI" * 2:
        if pdf.get_string_width(word + letter + "N") > inner_mm:
            return word + letter
        word += letter
    raise AssertionError("no word fills the cell")


def _ruled_row(*cells: str) -> list[tuple[float, str]]:
    return [(x + 1.0, text) for x, text in zip(EDGES, cells, strict=False) if text]


@pytest.mark.parametrize(("part", "rest", "warned"), [
    pytest.param("BUDI", "SANTOSO", False, id="a short line: proven at a space"),
    pytest.param(_filling(9.0, 43.0), "NGSIH", True, id="a line that fills the cell: unprovable"),
])
def test_a_name_going_on_over_a_page_break_is_placed_from_both_pages(part: str, rest: str, warned: bool) -> None:
    """A row the page end cut under the table's last rule, its name's rest in the next page's first row: the
    same rule as for a line break in the cell, the widths of the part's last line on one page and of the
    rest's first glyph on the other."""
    first = [_ruled_row("No", "NIK", "Nama", "TMT"), _ruled_row("1", SITI, "SITI AMINAH", "01-03-2025"),
             _ruled_row("2", BUDI, part, "01-03-2025")]
    second = [_ruled_row("", "", rest, ""), _ruled_row("3", "6172034110960014", "SRI", "01-04-2025")]
    report = check(pdf_lines([first, second], ruled=(EDGES, 2)), "daftar.pdf", "pekerja-rentan", today=TODAY)
    assert report.error is None, report.error_detail
    assert [(a.name, Warn.PDF_LAYOUT_UNSURE in a.warnings) for a in report.accepted] == [
        ("SITI AMINAH", False), (f"{part} {rest}", warned), ("SRI", False)]


def test_each_words_first_glyph_is_as_wide_as_pdfplumbers_char() -> None:
    """The widths the rule reads (``Line.lead``, from the reader's own collector) are pdfplumber's."""
    data = _cell_pdf("SRI PURNAMASARI YULIANTI WAHYUNINGSIH", _width_mm("PURNAMASA") + 0.3)
    document = workers.open_document(data)
    page = glyphs.extract_page(document, next(iter(PDFPage.create_pages(document.doc))), 1)
    ours = sorted((round(w[0], 3), round(line.top, 3), w[2][0], round(lead, 3))
                  for line in page.lines for w, lead in zip(line.words, line.lead, strict=True))
    chars = pdfplumber.open(io.BytesIO(data)).pages[0].chars
    starts = {(round(c["x0"], 3), round(c["top"], 3)): c for c in chars}
    theirs = sorted((x0, top, starts[x0, top]["text"], round(starts[x0, top]["x1"] - x0, 3)) for x0, top, _, _ in ours)
    assert len(ours) > 5 and ours == theirs


UNRULED_NIKS = ["6172014503880001", "6172021007900002", "6172034110960014"]
UNRULED_HEADER = [(10.0, "No"), (20.0, "NIK"), (60.0, "Nama"), (120.0, "Kelurahan"), (170.0, "TMT")]


def _unruled(name_lines: list[str], bottom: bool) -> list[Accepted]:
    """An unbordered list of three workers, the second's name on several lines, aligned to the bottom of its
    row (the row's line is the name's last, Calc's default) or to the top; blank lines part the rows."""
    def row(n: int, name: str) -> list[tuple[float, str]]:
        return [(10.0, str(n + 1)), (20.0, UNRULED_NIKS[n]), (60.0, name), (120.0, "Melayu"), (170.0, "01-03-2025")]

    lines: list[list[tuple[float, str]]] = [UNRULED_HEADER, []]
    for n in range(3):
        if n != 1:
            lines += [row(n, "SITI"), []]
            continue
        wrapped = [[(60.0, part)] for part in (name_lines[:-1] if bottom else name_lines[1:])]
        own = row(n, name_lines[-1] if bottom else name_lines[0])
        lines += [*wrapped, own, []] if bottom else [own, *wrapped, []]
    report = check(pdf_lines([lines]), "daftar.pdf", "pekerja-rentan", today=TODAY)
    assert report.error is None, report.error_detail
    assert [a.nik for a in report.accepted] == UNRULED_NIKS
    return report.accepted


@pytest.mark.parametrize("bottom", [True, False], ids=["bottom-aligned", "top-aligned"])
@pytest.mark.parametrize(("name_lines", "read", "warned"), [
    (["SITI NUR", "AMINAH"], "SITI NUR AMINAH", False),  # the upper line holds a space
    (["Tjhai Bong", "Mui Fa"], "Tjhai Bong Mui Fa", False),
    (["Sri", "Wahyuningsih"], "Sri Wahyuningsih", False),  # a capital after a small letter starts a word
    (["SITI", "AMINAH"], "SITI AMINAH", False),  # "SITI" and an "A" are narrower than the widest line
    (["SRIWAHYUNINGSIH", "BINTI", "HASAN"], "SRIWAHYUNINGSIH BINTI HASAN", True),  # as wide as the widest
    (["ABDURRAHMAN", "WAHYUNINGSIH", "SALIM"], "ABDURRAHMAN WAHYUNINGSIH SALIM", True),
])
def test_an_unbordered_wrapped_name_is_read_in_order_and_warned_where_its_break_is_not_placed(
    name_lines: list[str], read: str, warned: bool, bottom: bool,
) -> None:
    second = _unruled(name_lines, bottom)[1]
    assert second.name == read
    assert (Warn.PDF_LAYOUT_UNSURE in second.warnings) is warned


def test_a_doubted_value_is_shown_as_written_and_survives_the_report_line() -> None:
    """Staff see which value the reader could not place: the kelurahan's "Sijangkun g" under the warning."""
    printed = Path(__file__).parents[1] / "fixtures" / "producers" / "writer-docx-ruled-portrait-split.pdf"
    report = check(printed.read_bytes(), "daftar.pdf", "pekerja-rentan", today=TODAY)
    warned = [a for a in report.accepted if Warn.PDF_LAYOUT_UNSURE in a.warnings]
    assert warned and all(a.doubted == ("kelurahan",) for a in warned)
    line = warned[0].to_dict()
    assert line["as_written"] == {"kelurahan": "Sijangkun g"}
    assert Accepted.from_dict(line).to_dict() == line
