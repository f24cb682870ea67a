"""Enrollment lists as the PDFs offices actually send, built from ``samples.workers()`` people.

Two layouts that a reader must both handle, and the three ways a PDF fails:

- ``write_ruled``: what Excel's "Save as PDF" makes of the office workbook: landscape,
  a title block, ruled cells, the two-row header (a "KONTAK" group over "No. HP/WA" and
  "Alamat") repeated on every page as print titles, long names and addresses wrapping onto
  two lines inside their cell (Excel's default bottom alignment), a "Jumlah" row and a
  place/date/signature block after the table on the last page.
- ``write_unruled``: what other tools print: whitespace-aligned columns with no ruling
  lines, a page header line and the header repeated on every page, long values wrapping
  onto a second text line below (top-aligned), a "Halaman N dari M" footer.
- ``write_table``: fpdf2's own ``table()``, bordered or not, landscape or portrait (the property tests'
  producer: generated lists through a real PDF writer).
- ``write_scanned`` (pages that are only an image), ``write_encrypted`` (a user
  password), ``write_broken`` (cut off in the middle, as an interrupted download is).

Everything is deterministic: the same people give the same bytes, so tests can assert
exact outcome codes and page/line positions.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import EncryptionMethod

from lindungi_dev.samples import FLAT_HEADER, HEADER_BOTTOM, HEADER_TOP, Worker, row_values, title

# Landscape A4 in mm. Column widths (mm) chosen so that longer names and addresses wrap.
RULED_WIDTHS = (8.0, 30.0, 22.0, 17.0, 7.0, 31.0, 25.0, 20.0, 27.0, 23.0, 16.0)
UNRULED_X = (10.0, 19.0, 48.0, 84.0, 102.0, 110.0, 142.0, 176.0, 199.0, 228.0, 258.0)
"""Left edge of each column in the unruled layout; the last column ends at 287 mm."""
UNRULED_WRAP = {2: 25.0, 5: 29.0, 6: 26.0, 9: 20.0}
"""Columns whose text wraps in the unruled layout, with their width (mm)."""
FONT_PT = 7.0
LINE_MM = 3.0
BODY_BOTTOM_MM = 193.0
SIGNATURE = ("Singkawang, 2 Januari 2025", "Kepala Dinas Tenaga Kerja", "", "", "Drs. H. ABDUL MAJID, M.Si",
             "NIP. 19680412 199303 1 007")


def _document() -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creator("Microsoft Excel")  # what Save-as-PDF puts in the metadata
    pdf.set_creation_date(__import__("datetime").datetime(2025, 1, 2, 10, 15))
    pdf.set_margins(10, 10, 10)
    return pdf


def _title_block(pdf: FPDF, program: str) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, title(program), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "KOTA SINGKAWANG - DINAS TENAGA KERJA", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _signature(pdf: FPDF, x: float) -> None:
    pdf.set_font("Helvetica", "", 8)
    pdf.ln(6)
    for line in SIGNATURE:
        pdf.set_x(x)
        pdf.cell(70, 4, line, align="C", new_x="LMARGIN", new_y="NEXT")


def write_ruled(people: Sequence[Worker], program: str = "pekerja-rentan") -> bytes:
    """An Excel "Save as PDF" of the office workbook (one sheet): ruled, header repeated on each page."""
    pdf = _document()
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    _title_block(pdf, program)
    pdf.set_font("Helvetica", "", FONT_PT)
    with pdf.table(
        col_widths=RULED_WIDTHS, width=sum(RULED_WIDTHS), align="LEFT", text_align="LEFT", v_align="BOTTOM",
        line_height=LINE_MM, num_heading_rows=2, repeat_headings=1, padding=(0.4, 0.6), first_row_as_headings=True,
    ) as table:
        top = table.row(v_align="MIDDLE")
        for col, text in enumerate(HEADER_TOP):
            if col == 5:
                top.cell(text, colspan=2, align="CENTER")
            elif col != 6:
                top.cell(text, rowspan=2, align="CENTER")
        bottom = table.row(v_align="MIDDLE")
        bottom.cell(HEADER_BOTTOM[5].replace(". ", ".\n"), align="CENTER")
        bottom.cell(HEADER_BOTTOM[6], align="CENTER")
        for number, w in enumerate(people, start=1):
            table.row(row_values(number, w))
        total = table.row()
        total.cell("")
        total.cell("Jumlah")
        total.cell(f"{len(people)} orang")
        for _ in range(len(RULED_WIDTHS) - 3):
            total.cell("")
    _signature(pdf, 200)
    return bytes(pdf.output())


def write_table(people: Sequence[Worker], program: str = "pekerja-rentan", *, ruled: bool = True,
                landscape: bool = True) -> bytes:
    """fpdf2's ``table()`` as a Python web application prints a list: one header row repeated on each page,
    every cell bordered or none, landscape or portrait (narrower columns: names, addresses and numbers wrap)."""
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    pdf.set_creator("fpdf2")
    pdf.set_creation_date(__import__("datetime").datetime(2025, 1, 2, 10, 15))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    _title_block(pdf, program)
    pdf.set_font("Helvetica", "", FONT_PT)
    with pdf.table(col_widths=RULED_WIDTHS, text_align="LEFT", line_height=LINE_MM, repeat_headings=1,
                   borders_layout="ALL" if ruled else "NONE", padding=(0.4, 0.8)) as table:
        table.row(FLAT_HEADER)
        for number, w in enumerate(people, start=1):
            table.row(row_values(number, w))
    _signature(pdf, pdf.w - 90)
    return bytes(pdf.output())


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Word-wrap ``text`` to ``width`` mm in the current font (what a report tool does)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pdf.get_string_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current or not lines else lines


class _Unruled(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 4, f"Halaman {self.page_no()} dari {{nb}}", align="C")


def write_unruled(people: Sequence[Worker], program: str = "pekerja-rentan", rows_per_page: int = 44) -> bytes:
    """A report tool's print-out: columns aligned with spaces, no lines, "Halaman N dari M" at the foot."""
    pdf = _Unruled(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(__import__("datetime").datetime(2025, 1, 2, 10, 15))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(False)
    header = [h.replace(". ", ".\n") if " " in h and i in (3, 5, 9) else h for i, h in enumerate(FLAT_HEADER)]
    header[3], header[9] = "Tanggal\nLahir", "Jenis\nPekerjaan"

    def new_page(first: bool) -> None:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 7)
        pdf.cell(0, 4, "SIPEKA - Sistem Informasi Pekerja    Dicetak: 02/01/2025 10:15", new_x="LMARGIN", new_y="NEXT")
        if first:
            _title_block(pdf, program)
        pdf.set_font("Helvetica", "B", FONT_PT)
        y = pdf.get_y()
        for x, text in zip(UNRULED_X, header, strict=True):
            for k, part in enumerate(text.split("\n")):
                pdf.text(x, y + 3 + k * LINE_MM, part)
        pdf.set_y(y + 2 * LINE_MM + 2.5)
        pdf.set_font("Helvetica", "", FONT_PT)

    new_page(True)
    on_page = 0
    for number, w in enumerate(people, start=1):
        values = row_values(number, w)
        cells = [_wrap(pdf, v, UNRULED_WRAP[c]) if c in UNRULED_WRAP else [v] for c, v in enumerate(values)]
        height = max(len(lines) for lines in cells) * LINE_MM + 0.8
        if on_page == rows_per_page or pdf.get_y() + height > BODY_BOTTOM_MM:
            new_page(False)
            on_page = 0
        y = pdf.get_y()
        for c, lines in enumerate(cells):
            for k, part in enumerate(lines):
                if part:
                    x = UNRULED_X[c] + (5 - pdf.get_string_width(part) if c == 0 else 0)  # "No" right-aligned
                    pdf.text(x, y + 3 + k * LINE_MM, part)
        pdf.set_y(y + height)
        on_page += 1
    y = pdf.get_y() + 2
    pdf.set_font("Helvetica", "B", FONT_PT)
    pdf.text(UNRULED_X[1], y + 3, "Jumlah")
    pdf.text(UNRULED_X[2], y + 3, f"{len(people)} orang")
    pdf.set_y(y + 4)
    if pdf.get_y() > BODY_BOTTOM_MM - 35:
        new_page(False)
    _signature(pdf, 200)
    return bytes(pdf.output())


def write_scanned(people: Sequence[Worker], program: str = "pekerja-rentan", typed_first_page: bool = False) -> bytes:
    """A scan: every page is one picture of the list, with no text layer at all.

    ``typed_first_page``: the first page is typed text and only the rest are scanned (a list
    continued on paper), so a reader must look at every page, not only the first.
    """
    from PIL import Image, ImageDraw

    pdf = _document()
    pdf.set_auto_page_break(False)
    per_page = 30
    for start in range(0, max(len(people), 1), per_page):
        if typed_first_page and start == 0:
            pdf.add_page()
            _title_block(pdf, program)
            pdf.set_font("Helvetica", "", FONT_PT)
            for k, values in enumerate([FLAT_HEADER] + [row_values(n + 1, w) for n, w in enumerate(people[:per_page])]):
                for x, value in zip(UNRULED_X, values, strict=True):
                    pdf.text(x, 30 + k * LINE_MM * 1.3, value[:18])
            continue
        image = Image.new("L", (1100, 780), 255)
        draw = ImageDraw.Draw(image)
        if start == 0:
            draw.text((40, 20), title(program), fill=0)
        draw.text((40, 50), "   ".join(FLAT_HEADER), fill=0)
        for k, w in enumerate(people[start : start + per_page]):
            draw.text((40, 70 + 22 * k), "   ".join(row_values(start + k + 1, w)), fill=0)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.add_page()
        pdf.image(buffer, x=10, y=10, w=277)
    return bytes(pdf.output())


def write_encrypted(
    people: Sequence[Worker], program: str = "pekerja-rentan", password: str = "dinas2025"  # noqa: S107 - a sample
) -> bytes:
    """The ruled list, opened only with a password (AES-128, as Acrobat and Office save it)."""
    pdf = _document()
    pdf.set_encryption(owner_password=password + "-owner", user_password=password,
                       encryption_method=EncryptionMethod.AES_128)
    pdf.add_page()
    _title_block(pdf, program)
    pdf.set_font("Helvetica", "", FONT_PT)
    with pdf.table(col_widths=RULED_WIDTHS, width=sum(RULED_WIDTHS), align="LEFT", line_height=LINE_MM) as table:
        table.row(FLAT_HEADER)
        for number, w in enumerate(people, start=1):
            table.row(row_values(number, w))
    return bytes(pdf.output())


def write_broken(people: Sequence[Worker], program: str = "pekerja-rentan") -> bytes:
    """The ruled list cut off after 60 % of its bytes, like an interrupted upload or download."""
    whole = write_ruled(people, program)
    return whole[: len(whole) * 6 // 10]
