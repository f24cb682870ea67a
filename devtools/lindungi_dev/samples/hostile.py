"""The hostile corpus: small files that once killed, hung or silenced ingestion, made in code.

Each case is a few KB to a few hundred KB, built in well under a second, and names the outcome
ingestion must come to: a file-level error code (or ``None``: the file is read, its rows end as
they should). The tests run every case through ``python -m lindungi check`` in a subprocess and
through the ingest handler; ``make bench`` prints each one's time and peak memory.

    far-cell-xfd            one value at A1 and one at XFD1048576 (calamine would ask for 512 GiB)
    shared-strings-4g       sharedStrings.xml declaring uniqueCount="4294967295"
    far-cell-140k-col-200   a far cell at row 140,000, column 200 (a 28-million-cell grid for 30 rows)
    far-cell-dimension      a ``<dimension ref="A1:XFD1048576">`` over a small sheet (a lie to be ignored)
    pdf-count-self          /Count is ``4 0 R`` where object 4 is ``4 0 R``
    pdf-pages-loop          /Pages kids loop 2 -> 3 -> 2
    pdf-count-lies          declares /Count 1, holds 3,000 pages of header and footer lines
    pdf-ignored-flood       600 pages of 60 footer lines: 36,000 rows set aside that no row limit counts
    pdf-deep-tree           a page tree 5,000 levels deep
    zip-bomb                a sheet inflating past the unzipped limit
    billion-laughs          nested entities in sharedStrings.xml
    xxe                     an external entity reading /etc/passwd
    pdf-nested-arrays       a page holding 100,000 nested arrays (read; the page has no list on it)
    pdf-digit-runs          a list page whose content stream then holds 1 MB of digit runs ending in a letter
                            (a backtracking tokenizer tried every split of each: minutes for a 2 KB file)
    pdf-unclosed-hex        the same with 1 MB of unclosed "<" hex strings (each once scanned to the end)
    pdf-dict-key-not-name   a marked-content dictionary ``<< [1] 2 >>`` before the list (pdfminer reads it)
    csv-cell-450k           a CSV list with one address of 450 KB (an item over DynamoDB's 400 KB once failed
                            the file on every retry); read, that row rejected ``cell_too_long``
    xls-far-cell            an .xls with a value at IV65536 (read in a child under RLIMIT_AS, which dies)
    ods-far-cell            an .ods whose repeated cells put a value 96 million cells away (same)
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import xlsxwriter

from lindungi_dev import samples

PROGRAM = "pekerja-rentan"
MB = 2**20


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    make: Callable[[], bytes]
    error: str | None
    """The file-level error code the report must carry (``None``: read without a file-level error)."""
    detail: str = ""
    """A word the report's ``error_detail`` must contain, if any."""


# ------------------------------------------------------------------------------------- workbooks


def _workbook(cells: dict[tuple[int, int], str], rows: int = 0) -> bytes:
    """An xlsx with a real header and ``rows`` worker rows, plus ``cells`` ((row, col) 0-based) far away."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Daftar")
    people = samples.workers(rows, PROGRAM)
    sheet.write_row(0, 0, ["No", "NIK", "Nama", "No HP", "TMT"])
    for n, worker in enumerate(people, start=1):
        sheet.write_row(n, 0, [str(n), worker.nik, worker.name, worker.phone, "01-01-2025"])
    for (row, col), value in cells.items():
        sheet.write_string(row, col, value)
    book.close()
    return out.getvalue()


def _rezip(data: bytes, replace: Callable[[str, bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace(info.filename, source.read(info.filename)))
    return out.getvalue()


def far_cell_xfd() -> bytes:
    return _workbook({(0, 0): "NIK", (1_048_575, 16_383): "x"})


def far_cell_140k() -> bytes:
    return _workbook({(139_999, 199): "x"}, rows=30)


def lying_dimension() -> bytes:
    """A good 5-row list whose ``<dimension>`` claims the whole grid: the real extent is what counts."""

    def lie(name: str, body: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            start = body.index(b"<dimension ref=\"")
            end = body.index(b"\"", start + 16)
            return body[:start] + b'<dimension ref="A1:XFD1048576' + body[end:]
        return body

    return _rezip(_workbook({}, rows=5), lie)


def shared_strings_4g() -> bytes:
    def declare(name: str, body: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            head, _, tail = body.partition(b"<sst ")
            attrs, _, rest = tail.partition(b">")
            kept = b" ".join(a for a in attrs.split() if not a.startswith((b"count=", b"uniqueCount=")))
            return head + b"<sst " + kept + b' count="4294967295" uniqueCount="4294967295">' + rest
        return body

    return _rezip(_workbook({}, rows=5), declare)


def zip_bomb(expanded: int = 420 * MB) -> bytes:
    """A workbook whose sheet1.xml inflates to ``expanded`` bytes of one repeated row, from about a MB."""
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>0000000000000000</t></is></c></row>' * 1024
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
                         "</workbook>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            written = 0
            while written < expanded:
                sheet.write(row)
                written += len(row)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def xls_far_cell() -> bytes:
    """An .xls (BIFF8, at most 65,536 x 256) with a value at IV65536: a 16.7-million-cell grid."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Daftar")
    for col, text in enumerate(["No", "NIK", "Nama"]):
        sheet.write(0, col, text)
    sheet.write(65_535, 255, "x")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)


def ods_far_cell() -> bytes:
    """A LibreOffice sheet whose repeated empty rows and cells put one value at row 16,000, column 6,000
    (96 million cells: under calamine's own ODS cell limit of 100 million, over any Lambda's memory)."""
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}><office:body>'
        '<office:spreadsheet><table:table table:name="Daftar">'
        f"<table:table-row>{cell.format('NIK')}{cell.format('Nama')}</table:table-row>"
        '<table:table-row table:number-rows-repeated="15998"><table:table-cell/></table:table-row>'
        f'<table:table-row><table:table-cell table:number-columns-repeated="5999"/>{cell.format("x")}'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
) + "]>"
XXE = '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _entity_in_shared_strings(prolog: str, entity: str) -> bytes:
    def inject(name: str, body: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            text = body.decode()
            return (prolog + text[text.index("<sst"):].replace("<t>Nama</t>", f"<t>{entity}</t>", 1)).encode()
        return body

    return _rezip(_workbook({}, rows=5), inject)


def billion_laughs() -> bytes:
    return _entity_in_shared_strings(LAUGHS, "&lol9;")


def xxe() -> bytes:
    return _entity_in_shared_strings(XXE, "&xxe;")


# ------------------------------------------------------------------------------------------ PDFs


def pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF of ``objects`` (numbered from 1) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def pdf_count_self() -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 4 0 R >>", _PAGE,
                b"4 0 R"])


def pdf_pages_loop() -> bytes:
    """The catalog's /Pages is ``2 0 R``; object 2 is ``3 0 R`` and object 3 is ``2 0 R``."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"3 0 R", b"2 0 R"])


def pdf_many_pages(pages: int = 3_000, footers: int = 1, declared: int | None = 1) -> bytes:
    """``pages`` real pages (declaring ``/Count declared``, or the truth), each a list header and ``footers``
    footer lines: all one shared content stream, so about 80 bytes a page."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    text = b"BT /F1 10 Tf 40 800 Td (No) Tj 40 0 Td (NIK) Tj 120 0 Td (Nama) Tj 200 0 Td (TMT) Tj ET BT 40 780 Td"
    text += b" 0 -12 Td (Keterangan: daftar dicetak dari aplikasi) Tj" * footers + b" ET"
    stream = b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"
    first = 5
    kids = b" ".join(b"%d 0 R" % (first + n) for n in range(pages))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R"
            b" /Resources << /Font << /F1 4 0 R >> >> >>")
    count = pages if declared is None else declared
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
                stream, font, *([page] * pages)])


def pdf_count_lies() -> bytes:
    return pdf_many_pages(3_000, footers=1, declared=1)


def pdf_ignored_flood() -> bytes:
    """600 honest pages of 60 footer lines each: 36,000 rows set aside, none a worker."""
    return pdf_many_pages(600, footers=60, declared=None)


def pdf_deep_tree(depth: int = 5_000) -> bytes:
    """Each /Pages node holds only the next one, ``depth`` levels down to a single page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        parent = b" /Parent %d 0 R" % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages%s /Kids [%d 0 R] /Count 1 >>" % (parent, number + 1))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] >>" % (depth + 1))
    return pdf(objects)


def pdf_nested_arrays(depth: int = 100_000) -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /X " + b"[" * depth + b"]" * depth + b" >>"])


_LIST_PAGE = (b"BT /F1 10 Tf 40 800 Td (No) Tj 40 0 Td (NIK) Tj 120 0 Td (Nama) Tj 200 0 Td (TMT) Tj ET"
              b" BT /F1 10 Tf 40 780 Td (1) Tj 40 0 Td (%s) Tj 120 0 Td (%s) Tj 200 0 Td (01-01-2025) Tj ET")


def pdf_list_page(before: bytes = b"", after: bytes = b"") -> bytes:
    """One page with a list header and one worker row, ``before`` and ``after`` it in the same content
    stream, compressed (a megabyte of repeated bytes is a few KB of file)."""
    worker = samples.workers(1, PROGRAM, seed=23)[0]
    text = before + b"\n" + _LIST_PAGE % (worker.nik.encode(), worker.name.encode("latin-1", "replace")) + b"\n" + after
    packed = zlib.compress(text, 9)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R"
            b" /Resources << /Font << /F1 4 0 R >> >> >>")
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", stream, font,
                page])


def pdf_digit_runs() -> bytes:
    return pdf_list_page(after=(b"1" * 4_000 + b"x ") * 250)


def pdf_unclosed_hex() -> bytes:
    return pdf_list_page(after=b"< a" * 330_000)


def pdf_dict_key_not_name() -> bytes:
    return pdf_list_page(before=b"/Span << [1] 2 /MCID 0 >> BDC", after=b"EMC")


# ------------------------------------------------------------------------------------------ CSV


def csv_huge_cell(size: int = 450 * 1024, rows: int = 60) -> bytes:
    """A list of ``rows`` workers whose 30th has an address of ``size`` characters (under the 1 MB line limit)."""
    people = list(samples.workers(rows, PROGRAM, seed=23))
    people[29] = dataclasses.replace(people[29], address="Jl. " + "A" * size)
    return samples.write_csv(people)


# ----------------------------------------------------------------------------------------- cases

TOO_LARGE, UNREADABLE = "file_too_large", "file_unreadable"

CASES: tuple[Case, ...] = (
    Case("far-cell-xfd", "daftar.xlsx", far_cell_xfd, TOO_LARGE, "cells"),
    Case("shared-strings-4g", "daftar.xlsx", shared_strings_4g, UNREADABLE, "sharedStrings"),
    Case("far-cell-140k-col-200", "daftar.xlsx", far_cell_140k, TOO_LARGE, "cells"),
    Case("far-cell-dimension", "daftar.xlsx", lying_dimension, None),
    Case("xls-far-cell", "daftar.xls", xls_far_cell, TOO_LARGE),
    Case("ods-far-cell", "daftar.ods", ods_far_cell, TOO_LARGE),
    Case("pdf-count-self", "daftar.pdf", pdf_count_self, UNREADABLE),
    Case("pdf-pages-loop", "daftar.pdf", pdf_pages_loop, UNREADABLE),
    Case("pdf-count-lies", "daftar.pdf", pdf_count_lies, TOO_LARGE, "pages"),
    Case("pdf-ignored-flood", "daftar.pdf", pdf_ignored_flood, TOO_LARGE, "set aside"),
    Case("pdf-deep-tree", "daftar.pdf", pdf_deep_tree, UNREADABLE),
    Case("pdf-nested-arrays", "daftar.pdf", pdf_nested_arrays, "header_not_found"),
    Case("pdf-digit-runs", "daftar.pdf", pdf_digit_runs, None),
    Case("pdf-unclosed-hex", "daftar.pdf", pdf_unclosed_hex, None),
    Case("pdf-dict-key-not-name", "daftar.pdf", pdf_dict_key_not_name, None),
    Case("csv-cell-450k", "daftar.csv", csv_huge_cell, None),
    Case("zip-bomb", "daftar.xlsx", zip_bomb, TOO_LARGE, "unzipped"),
    Case("billion-laughs", "daftar.xlsx", billion_laughs, UNREADABLE),
    Case("xxe", "daftar.xlsx", xxe, UNREADABLE),
)


def case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)
