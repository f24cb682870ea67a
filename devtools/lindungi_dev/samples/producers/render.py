"""The documents the producers are given: an HTML page (a web application's print view), a TCPDF job, a letter.

- ``html``: the list as PHP web applications and browsers print it (TCPDF ``writeHTML``, dompdf, Chromium).
- ``cell_job``: the same for a TCPDF ``Cell()``/``MultiCell()`` report, the columns' widths in mm.
- ``letter``: a letter from the Dinas (Flat ODT, as Writer saves it) with the list typed as a table inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from xml.sax.saxutils import escape as xml_escape

from lindungi_dev.samples.producers.sources import Table

OFFICE = "KOTA SINGKAWANG - DINAS TENAGA KERJA"
SIGNATURE = ("Singkawang, 2 Januari 2025", "Kepala Dinas Tenaga Kerja", "", "", "Drs. H. ABDUL MAJID, M.Si")


@dataclass(frozen=True)
class Print:
    """How a list is printed."""

    ruled: bool = True
    """Every cell bordered (else no lines at all)."""
    landscape: bool = True
    repeat_header: bool = True
    """The header row printed again at the top of every page."""
    split_rows: bool = False
    """A row taller than one line may be cut by a page break (else rows are kept whole)."""
    font_pt: float = 8.0
    all_columns: bool = True
    """Every column of the workbook (else a portrait print view without address, kelurahan and occupation)."""

    def columns(self, table: Table) -> Table:
        return table if self.all_columns else table.narrow()

    def options(self) -> dict[str, object]:
        return {"all_columns": self.all_columns, "ruled": self.ruled,
                "orientation": "landscape" if self.landscape else "portrait",
                "header_repeated": self.repeat_header, "rows_split": self.split_rows, "font_pt": self.font_pt}


def _cell_html(text: str) -> str:
    return "<br>".join(escape(part) for part in text.split("\n"))


def html(table: Table, how: Print, *, tcpdf: bool = False, font: str = "'DejaVu Sans', sans-serif") -> str:
    """The print view of a web application; ``tcpdf`` writes the table with the attributes TCPDF's parser reads."""
    table = how.columns(table)
    weights = table.weights()
    border = ' border="1"' if how.ruled else ' border="0"'
    pad = ' cellpadding="2"'
    head = "".join(f'<th width="{w * 100:.1f}%" align="center"><b>{escape(label)}</b></th>'
                   for label, w in zip(table.header, weights, strict=True))
    head_row = f"<tr>{head}</tr>"
    keep = ' nobr="true"' if tcpdf and not how.split_rows else ""
    body = []
    right = ' class="no" align="right"'
    for row in table.rows:
        cells = "".join(f'<td width="{w * 100:.1f}%"{right if col == 0 else ""}>{_cell_html(text)}</td>'
                        for col, (text, w) in enumerate(zip(row, weights, strict=True)))
        body.append(f"<tr{keep}>{cells}</tr>")
    rows = "\n".join(body)
    if how.repeat_header:
        table_html = f"<table{border}{pad} width=\"100%\"><thead>{head_row}</thead><tbody>\n{rows}\n</tbody></table>"
    else:
        table_html = f"<table{border}{pad} width=\"100%\"><tbody>{head_row}\n{rows}\n</tbody></table>"
    signature = "<br>".join(escape(line) or "&nbsp;" for line in SIGNATURE)
    footer = (f"<p>Jumlah: {len(table.rows)} orang</p>"
              f'<table border="0" width="100%"><tr><td width="60%"></td><td width="40%" align="center">'
              f"{signature}</td></tr></table>")
    page = "landscape" if how.landscape else "portrait"
    lines = "1px solid #000" if how.ruled else "none"
    row_break = "auto" if how.split_rows else "avoid"
    style = (f"@page {{ size: A4 {page}; margin: 12mm 10mm; }}\n"
             f"body {{ font-family: {font}; font-size: {how.font_pt}pt; }}\n"
             "h3, h4 { text-align: center; margin: 2pt; }\n"
             "table { border-collapse: collapse; }\n"
             f"th, td {{ border: {lines}; padding: 1.5pt 3pt; vertical-align: top; text-align: left; }}\n"
             "th { text-align: center; } td.no { text-align: right; }\n"
             f"tr {{ break-inside: {row_break}; page-break-inside: {row_break}; }}\n"
             f"td {{ orphans: {1 if how.split_rows else 2}; widows: {1 if how.split_rows else 2}; }}\n"
             "thead { display: table-header-group; }")
    return (f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>{escape(table.title)}</title>'
            f"<style>{style}</style></head>\n<body>"
            f"<h3>{escape(table.title)}</h3><h4>{OFFICE}</h4>\n{table_html}\n{footer}</body></html>\n")


def cell_job(table: Table, how: Print, *, wrap: bool) -> dict[str, object]:
    """What the TCPDF ``Cell()`` script draws: ``wrap`` uses ``MultiCell()`` (tall rows), else one line a row."""
    table = how.columns(table)
    return {"title": table.title, "office": OFFICE, "header": list(table.header), "rows": [list(r) for r in table.rows],
            "weights": table.weights(), "orientation": "L" if how.landscape else "P", "border": int(how.ruled),
            "repeat": how.repeat_header, "font_pt": how.font_pt, "wrap": wrap, "right": [0],
            "signature": list(SIGNATURE), "total": f"Jumlah: {len(table.rows)} orang"}


_ODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:styles>
<style:default-style style:family="paragraph"><style:text-properties fo:font-family="'Liberation Sans'"
 fo:font-size="10pt" fo:language="id" fo:country="ID"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph"/>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="PL"><style:page-layout-properties fo:page-width="{page_w}cm" fo:page-height="{page_h}cm"
 style:print-orientation="{orientation}" fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="1.5cm"
 fo:margin-right="1.5cm"/></style:page-layout>
<style:style style:name="T" style:family="table"><style:table-properties style:width="{table_w}cm" table:align="left"/>
</style:style>
{columns}
<style:style style:name="TR" style:family="table-row"><style:table-row-properties fo:keep-together="{keep}"/>
</style:style>
<style:style style:name="TC" style:family="table-cell"><style:table-cell-properties fo:padding="0.05cm"
 fo:border="{border}"/></style:style>
<style:style style:name="PC" style:family="paragraph"><style:paragraph-properties fo:orphans="{lines}"
 fo:widows="{lines}"/><style:text-properties fo:font-size="{font}pt"/></style:style>
<style:style style:name="PN" style:family="paragraph"><style:paragraph-properties fo:text-align="end"/>
<style:text-properties fo:font-size="{font}pt"/></style:style>
<style:style style:name="PH" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
<style:text-properties fo:font-size="{font}pt" fo:font-weight="bold"/></style:style>
<style:style style:name="PT" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
<style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="PS" style:family="paragraph"><style:paragraph-properties fo:margin-left="{sign_at}cm"
 fo:text-align="center"/></style:style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="PL"/></office:master-styles>
<office:body><office:text>
{body}
</office:text></office:body></office:document>
"""

LETTER_TOP = ("Nomor : 560/412/Disnaker/I/2025", "Lampiran : 1 (satu) berkas",
              "Perihal : Usulan peserta bantuan iuran BPJS Ketenagakerjaan", "",
              "Kepada Yth.", "Kepala BPJS Ketenagakerjaan Cabang Singkawang", "di Singkawang", "",
              "Dengan hormat,",
              "Bersama ini kami sampaikan daftar pekerja yang diusulkan menerima bantuan iuran program Jaminan "
              "Kecelakaan Kerja dan Jaminan Kematian yang dibayar Pemerintah Kota Singkawang, sebagai berikut:")
LETTER_END = ("Demikian kami sampaikan, atas perhatian dan kerja samanya kami ucapkan terima kasih.",)


def _p(text: str, style: str) -> str:
    lines = "<text:line-break/>".join(xml_escape(line) for line in text.split("\n"))
    return f'<text:p text:style-name="{style}">{lines}</text:p>'


def letter(table: Table, how: Print) -> str:
    """A letter with the list inside as a Writer table (Flat ODT): header row marked to repeat, or not."""
    table = how.columns(table)
    page_w, page_h = (29.7, 21.0) if how.landscape else (21.0, 29.7)
    table_w = page_w - 3.0
    weights = table.weights()
    columns = "\n".join(f'<style:style style:name="T.{i}" style:family="table-column"><style:table-column-properties '
                        f'style:column-width="{w * table_w:.3f}cm"/></style:style>' for i, w in enumerate(weights))

    def row(texts: tuple[str, ...], head: bool) -> str:
        cells = "".join(f'<table:table-cell table:style-name="TC" office:value-type="string">'
                        f'{_p(t, "PH" if head else ("PN" if i == 0 else "PC"))}</table:table-cell>'
                        for i, t in enumerate(texts))
        return f'<table:table-row table:style-name="TR">{cells}</table:table-row>'

    head = row(table.header, True)
    head = f"<table:table-header-rows>{head}</table:table-header-rows>" if how.repeat_header else head
    grid = "".join(f'<table:table-column table:style-name="T.{i}"/>' for i in range(len(weights)))
    rows = "\n".join(row(r, False) for r in table.rows)
    body = [_p("PEMERINTAH KOTA SINGKAWANG", "PT"), _p("DINAS TENAGA KERJA", "PT"), _p("", "PC")]
    body += [_p(line, "Standard") for line in LETTER_TOP]
    body.append(f'<table:table table:name="Daftar" table:style-name="T">{grid}{head}\n{rows}</table:table>')
    body += [_p(f"Jumlah: {len(table.rows)} orang", "Standard"), *(_p(line, "Standard") for line in LETTER_END)]
    body += [_p(line, "PS") for line in SIGNATURE]
    return _ODT.format(page_w=page_w, page_h=page_h, orientation="landscape" if how.landscape else "portrait",
                       table_w=f"{table_w:.2f}", columns=columns, keep="auto" if how.split_rows else "always",
                       border="0.5pt solid #000000" if how.ruled else "none", font=how.font_pt,
                       lines=0 if how.split_rows else 2,
                       sign_at=f"{table_w * 0.55:.2f}", body="\n".join(body))
