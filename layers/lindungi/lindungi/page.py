"""The building blocks of the staff pages: one self-contained HTML document, tables and an inline SVG chart.

A page opens from the S3 console or from a laptop offline: no external
script, font, style sheet or image, and a Content-Security-Policy that lets
none run or load even if one slipped in. Every value from a list (names,
file names, sheet names) goes through ``html.escape``: a name ``<script>`` is
text on the page. Layout is one column that reflows on a phone; a table of more than three columns
becomes, on a narrow screen, one block per row with each cell under its column's name (nothing hides
off the side of the screen), and an empty table says "Tidak ada.".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from lindungi.outcomes import say

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1b1b;
background:#f4f6f8}
main{max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:.2em 0 .4em}
h2{font-size:1.2rem;margin:1.6em 0 .5em;border-bottom:2px solid #d0d7de;padding-bottom:.2em}
h3{font-size:1.05rem;margin:1.2em 0 .3em}
.meta{color:#555;margin:0 0 1em;word-break:break-word}
.status{border-radius:8px;padding:12px 16px;margin:12px 0;border-left:6px solid}
.status.ok{background:#e8f5e9;border-color:#2e7d32}
.status.warn{background:#fff8e1;border-color:#f9a825}
.status.bad{background:#fdecea;border-color:#c62828}
.status p{margin:.3em 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{flex:1 1 140px;background:#fff;border-radius:8px;padding:10px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .n{display:block;font-size:1.7rem;font-weight:700;line-height:1.2}
.card .l{display:block;color:#555;font-size:.9rem}
.box{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.08);margin:10px 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.92rem;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e1e4e8;vertical-align:top}
th{background:#eef2f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
td{overflow-wrap:anywhere}
.over{color:#b71c1c;font-weight:700}
.fix{color:#333;margin:.2em 0 .6em}
svg{display:block;width:100%;height:auto;font-size:13px}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif;fill:#1b1b1b}
a{color:#0b57d0}
details summary{cursor:pointer;font-weight:600;margin:.6em 0}
.small{font-size:.85rem;color:#555}
td.none{color:#555;font-style:italic}
.bad-value{font-weight:600;color:#8a1c1c;overflow-wrap:anywhere}
td.nw,th.nw{white-space:nowrap}
@media (min-width:641px){table.stack td{overflow-wrap:break-word}}
@media (max-width:640px){
table.stack thead{position:absolute;left:-9999px;top:auto}
table.stack,table.stack tbody,table.stack tr{display:block;width:100%}
table.stack tr{border-bottom:2px solid #d0d7de;padding:4px 0}
table.stack td{display:flex;gap:10px;border:0;padding:2px 8px;text-align:left;white-space:normal;min-width:0}
table.stack td::before{content:attr(data-label);flex:0 0 40%;color:#555;font-weight:600}
table.stack td:first-child{font-weight:700}
table.stack td.none::before{content:none}
}
"""


def document(title: str, body: str, lang: str = "id") -> str:
    """A whole page: ``title`` is escaped here, ``body`` is HTML already built from escaped parts."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n"
        "</body>\n</html>\n"
    )


WIB = ZoneInfo("Asia/Pontianak")
"""Kota Singkawang's time zone: every time on a page is in WIB."""


def day(value: date) -> str:
    """The one date format of the pages: 20-08-2025."""
    return value.strftime("%d-%m-%Y")


def local(value: str | datetime) -> datetime:
    """An ISO 8601 time (UTC when it names no offset) in WIB."""
    when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo("UTC"))
    return when.astimezone(WIB)


def moment(value: str | datetime) -> str:
    """An ISO 8601 time (UTC or any offset) as staff read it: "20-08-2025 pukul 10.15 WIB"."""
    when = local(value)
    return say("page.moment", day=day(when.date()), time=when.strftime("%H.%M"))


def number(value: int) -> str:
    """Indonesian digit grouping: 7.737."""
    return f"{value:,}".replace(",", ".")


def percent(part: int, whole: int) -> str:
    """``27,3 %``; a dash when there is nothing to divide."""
    if not whole:
        return "-"
    return f"{100 * part / whole:.1f} %".replace(".", ",")


def cards(items: Iterable[tuple[str, str, int]]) -> str:
    """Summary figures: (id, label, value), each a card a person reads at a glance."""
    parts = [
        f'<div class="card" id="{escape(ident)}"><span class="n">{number(value)}</span>'
        f'<span class="l">{escape(label)}</span></div>'
        for ident, label, value in items
    ]
    return f'<div class="cards">{"".join(parts)}</div>'


class Html(str):
    """A table cell already built from escaped parts (a value set off in bold, say): not escaped again."""


def table(head: Sequence[str], rows: Iterable[Sequence[str | int]], ident: str = "",
          numeric: Sequence[int] = (), stack: bool | None = None, dates: Sequence[int] = ()) -> str:
    """A table of escaped cells; ints are grouped numbers. ``numeric`` columns are right-aligned.

    ``stack`` (default: more than three columns): on a narrow screen each row is a block, each cell under
    its column's name, instead of a table wider than the screen. No rows: one cell saying "Tidak ada.".
    ``dates`` columns are never broken across lines (a date is read whole).
    """
    def cell(tag: str, col: int, value: str | int) -> str:
        text = number(value) if isinstance(value, int) else value if isinstance(value, Html) else escape(value)
        klass = ' class="num"' if col in numeric else ' class="nw"' if col in dates else ""
        label = f' data-label="{escape(head[col])}"' if tag == "td" and col < len(head) else ""
        if tag == "td":  # one box beside its label when the row is stacked, whatever HTML the cell holds
            text = f"<span>{text}</span>"
        return f"<{tag}{klass}{label}>{text}</{tag}>"

    head_html = "".join(cell("th", c, h) for c, h in enumerate(head))
    body: list[str] = []
    for row in rows:
        body.append("<tr>" + "".join(cell("td", c, v) for c, v in enumerate(row)) + "</tr>")
    if not body:
        body.append(f'<tr><td class="none" colspan="{len(head)}">{escape(say("page.none"))}</td></tr>')
    id_attr = f' id="{escape(ident)}"' if ident else ""
    klass = ' class="stack"' if (len(head) > 3 if stack is None else stack) else ""
    return (f'<div class="scroll"><table{id_attr}{klass}><thead><tr>{head_html}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def bar_chart(bars: Sequence[tuple[str, int]], ident: str, title: str, colour: str = "#1565c0") -> str:
    """Horizontal bars, one per (label, value), as inline SVG; each label above its bar, so the chart stays
    legible when a phone shrinks it to the screen's width."""
    if not bars:
        return ""
    width, bar_w, row_h = 340, 270, 38
    peak = max(value for _, value in bars) or 1
    rows: list[str] = []
    for n, (label, value) in enumerate(bars):
        y = n * row_h
        length = max(2.0, bar_w * value / peak) if value else 0.0
        rows.append(
            f'<g class="bar"><text x="0" y="{y + 14}">{escape(label)}</text>'
            f'<rect x="0" y="{y + 19}" width="{length:.1f}" height="14" rx="3" fill="{colour}">'
            f"<title>{escape(label)}: {number(value)}</title></rect>"
            f'<text class="value" x="{length + 6:.1f}" y="{y + 31}">{number(value)}</text></g>'
        )
    return (
        f'<svg id="{escape(ident)}" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {row_h * len(bars)}" '
        f'style="max-width:480px" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(rows)}</svg>'
    )


def column_chart(bars: Sequence[tuple[str, int]], ident: str, title: str, colour: str = "#ef6c00") -> str:
    """Vertical columns, one per (short label, value), left to right in time: the weeks ahead."""
    if not bars:
        return ""
    col_w, gap, chart_h, top = 30, 6, 120, 18
    peak = max(value for _, value in bars) or 1
    parts: list[str] = []
    for n, (label, value) in enumerate(bars):
        x, mid = n * col_w + gap / 2, n * col_w + col_w / 2
        high = chart_h * value / peak if value else 0.0
        y = top + chart_h - high
        parts.append(
            f'<g class="bar"><rect x="{x:.1f}" y="{y:.1f}" width="{col_w - gap}" height="{high:.1f}" rx="2" '
            f'fill="{colour}"><title>{escape(label)}: {number(value)}</title></rect>'
            f'<text x="{mid:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="10">{number(value)}</text>'
            f'<text x="{mid:.1f}" y="{top + chart_h + 13}" text-anchor="middle" font-size="9">{escape(label)}</text>'
            "</g>"
        )
    width, height = col_w * len(bars), top + chart_h + 20
    return (
        f'<svg id="{escape(ident)}" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'style="max-width:640px" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<line x1="0" y1="{top + chart_h}" x2="{width}" y2="{top + chart_h}" stroke="#888" stroke-width="1"/>'
        f'{"".join(parts)}</svg>'
    )
