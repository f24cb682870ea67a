"""The report of one list as the page a staff member opens: ``reports/<program>/<name>.html``.

At the top, in plain words, whether the file was read (and if not, why and
what to do); then the counts, a chart of the reasons, and every rejected row
grouped by its reason with the sheet or page and line to look for and what
to change. Warned rows (accepted, worth a look) follow, folded. All the
words come from ``lindungi.outcomes``; every value from the list is escaped.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import timedelta
from html import escape
from typing import Any
from urllib.parse import quote

from lindungi.config import Programs
from lindungi.config import programs as shipped_programs
from lindungi.intake import example
from lindungi.intake.earlier import Earlier
from lindungi.intake.fields import REQUIRED, Field
from lindungi.intake.report import Report, written
from lindungi.offices import display_name
from lindungi.outcomes import EMPTY, FIELD_NAMES, LABELS, Code, FileError, Reject, Warn, message, say
from lindungi.page import Html, bar_chart, cards, day, document, moment, table
from lindungi.rows import Accepted, Rejected, RowRef

MAX_ROWS = 500
"""Rows of one table shown on the page; all of them are in the JSON report."""


def where(ref: RowRef) -> str:
    """The sheet's name, or "hal. 3" for a PDF page: what a person looks for before the line number."""
    if ref.sheet:
        return ref.sheet
    return say("report.page", page=ref.page) if ref.page else "-"


def _status(report: Report, extra: dict[str, Any] | None) -> str:
    if report.error:
        return (f'<div class="status bad" id="status"><p><strong>{escape(say("report.failed"))}</strong></p>'
                f'<p>{escape(say("report.what_to_do"))}: {escape(message(report.error))}</p></div>')
    if report.rejected:
        text = say("report.ok_fix", rejected=len(report.rejected))
        return f'<div class="status warn" id="status"><p><strong>{escape(text)}</strong></p></div>'
    return f'<div class="status ok" id="status"><p><strong>{escape(say("report.ok"))}</strong></p></div>'


def _summary(report: Report) -> str:
    counts = report.counts()
    items = [
        ("rows-read", say("report.rows_read"), counts["rows_read"]),
        ("accepted", say("report.accepted"), counts["accepted"]),
        ("rejected", say("report.rejected"), counts["rejected"]),
        ("warned", say("report.warned"), counts["warned"]),
        ("sms-capable", say("report.sms_capable"), counts["sms_capable"]),
    ]
    ignored = f'<p class="small">{escape(say("report.ignored", ignored=counts["ignored"]))}</p>' \
        if counts["ignored"] else ""
    return cards(items) + ignored + _nik_shaped(report)


def _nik_shaped(report: Report) -> str:
    """For a PDF: the NIK-shaped numbers its text holds and how many are in the rows reported."""
    if report.nik_shaped is None:
        return ""
    found, reported = report.nik_shaped
    return f'<p class="small" id="nik-shaped">{escape(say("report.nik_shaped", found=found, reported=reported))}</p>'


def _chart(report: Report) -> str:
    reasons = Counter(r for row in report.rejected for r in row.reasons)
    warnings = Counter(w for row in report.accepted for w in row.warnings)
    bars = [(f"{LABELS[c]}", n) for c, n in reasons.most_common()]
    bars += [(f"{LABELS[c]} *", n) for c, n in warnings.most_common()]
    head = f'<h2>{escape(say("report.chart"))}</h2>'
    if not bars:
        return head + f'<p id="chart-none">{escape(say("report.chart_none"))}</p>'
    legend = f'<p class="small">* {escape(say("report.warned"))}</p>' if warnings else ""
    chart = bar_chart(bars, "reasons-chart", say("report.chart"))
    return head + f'<div class="box">{chart}{legend}</div>'


def _written_cell(row: Rejected | Accepted, codes: Sequence[Reject | Warn]) -> Html:
    parts = [f'{escape(name)}: <span class="bad-value">{escape(value)}</span>' + (f" ({escape(note)})" if note else "")
             for name, value, note in written(row, codes)]
    return Html("<br>".join(parts) if parts else "-")


def _group(code: Code, rows: Sequence[Rejected | Accepted], ident: str) -> str:
    body: list[list[str | int]] = []
    for row in rows:
        codes: Sequence[Reject | Warn] = row.reasons if isinstance(row, Rejected) else row.warnings
        others = ", ".join(LABELS[c] for c in codes if c != code)
        body.append([where(row.row), row.row.line, row.name or EMPTY, _written_cell(row, codes), others or "-"])
    head = [say("report.where"), say("report.line"), say("report.name"), say("report.written"), say("report.other")]
    return (
        f'<section class="group" id="{escape(ident)}" data-code="{escape(code.value)}">'
        f'<h3>{escape(LABELS[code])} <span class="small">({escape(say("report.rows", count=len(rows)))})</span></h3>'
        f'<p class="fix">{escape(message(code))}</p>{table(head, body, numeric=(1,))}</section>'
    )


def relative_href(name: str) -> str:
    """A file beside the page as a relative link, whatever its name: ``:`` (so no name is a scheme, not even
    ``javascript:``, however browsers strip and case it), ``/``, ``?``, ``#``, ``%``, control characters and
    spaces at either end percent-encoded."""
    href = quote(name, safe=" !$&'()*+,;=@~[]")
    return re.sub(r"^ +| +$", lambda m: "%20" * len(m[0]), href)  # browsers strip spaces at either end


def _rows_to_fix(report: Report, fix_name: str | None, fix_shown: str | None) -> str:
    if not report.rejected and not any(a.warnings for a in report.accepted):
        return ""
    out: list[str] = []
    link = ""
    if fix_name:
        href = escape(relative_href(fix_name))
        where = say("report.fix_workbook_where", name=fix_shown or fix_name)
        link = (f'<p><a id="fix-workbook" href="{href}" download>{escape(say("report.fix_workbook"))}</a>'
                f' <span class="small">{escape(where)}</span></p>')
    if report.rejected:
        by_reason: dict[Reject, list[Rejected | Accepted]] = defaultdict(list)
        for row in report.rejected:
            by_reason[row.reasons[0]].append(row)
        out.append(f'<h2 id="to-fix">{escape(say("report.to_fix"))}</h2>{link}')
        out += [_group(code, rows, f"reject-{code.value}") for code, rows in by_reason.items()]
        link = ""
    warned: dict[Warn, list[Rejected | Accepted]] = defaultdict(list)
    for accepted in report.accepted:
        if accepted.warnings:
            warned[accepted.warnings[0]].append(accepted)
    if warned:
        groups = "".join(_group(code, rows, f"warn-{code.value}") for code, rows in warned.items())
        total = sum(len(rows) for rows in warned.values())
        out.append(f'<h2 id="to-check">{escape(say("report.to_check"))}</h2>{link}<details><summary>'
                   f'{escape(say("report.rows", count=total))}</summary>{groups}</details>')
    return "".join(out)


def _header_help(report: Report, example_name: str | None) -> str:
    """For ``header_not_found``: the column names seen, the names looked for, the example workbook."""
    seen = (f'<ul id="columns-seen">{"".join(f"<li>{escape(c)}</li>" for c in report.columns_seen)}</ul>'
            if report.columns_seen else f'<p id="columns-seen">{escape(say("report.columns_seen_none"))}</p>')
    rows: list[list[str | int]] = [
        [FIELD_NAMES[f.value] + (" *" if f in REQUIRED else ""), ", ".join(example.recognised(f))] for f in Field]
    link = ""
    if example_name:
        link = (f'<p><a id="example-workbook" href="{escape(example_name)}" download>{escape(say("report.example"))}'
                f'</a> <span class="small">{escape(say("report.example_where", name=example_name))}</span></p>')
    return (f'<h2>{escape(say("report.columns_seen"))}</h2>{seen}{link}'
            f'<h2>{escape(say("report.columns_wanted"))}</h2><p class="small">'
            f'{escape(say("report.columns_wanted_lead"))}</p>'
            + table([say("example.column"), say("example.names")], rows, ident="columns-wanted"))


def _covers(report: Report, programs: Programs) -> str:
    """Per program and TMT: the period, how many workers, and when each reminder stage goes out."""
    groups = Counter((row.program, row.coverage_start, row.coverage_end) for row in report.accepted)
    if not groups:
        return ""
    rows: list[list[str | int]] = []
    for (program_id, start, end), count in sorted(groups.items()):
        program = programs.get(program_id)
        stages: list[str] = []
        for days in program.reminder_days if program else ():
            due = end - timedelta(days=days)
            first = end - timedelta(days=program.window_opens(days))  # type: ignore[union-attr]
            stages.append(say("report.stage_on", days=days, day=day(due)) if first == due else
                          say("report.stage_between", days=days, first=day(first), day=day(due)))
        rows.append([program.name if program else program_id, day(start), day(end), count,
                     Html("<br>".join(escape(stage) for stage in stages) or "-")])
    head = [say("report.program"), say("report.cover_start"), say("report.cover_end"), say("report.workers"),
            say("report.reminders")]
    return (f'<h2 id="covers-head">{escape(say("report.covers"))}</h2>'
            f'<p class="small">{escape(say("report.covers_lead"))}</p>'
            + table(head, rows, ident="covers", numeric=(3,), dates=(1, 2)))


def _earlier(report: Report, extra: dict[str, Any] | None, programs: Programs) -> str:
    """The workers of this list already covered at the same time by another list (when that was looked up)."""
    if not extra or "already_covered" not in extra or not report.accepted:
        return ""
    head = f'<h2 id="earlier-head">{escape(say("report.earlier"))}</h2>'
    found = extra["already_covered"]
    if found is None:
        return head + f'<p id="earlier-status">{escape(say("report.earlier_unchecked"))}</p>'
    covered = [Earlier.from_dict(e) for e in found]
    guessed = _guessed(extra)
    if not covered:
        return head + f'<p id="earlier-status">{escape(say("report.earlier_none"))}</p>' + guessed
    own = {row.program for row in report.accepted}
    same = {e.nik for e in covered if e.program in own}
    lead = say("report.earlier_lead", count=len({e.nik for e in covered}), same=len(same),
               other=len({e.nik for e in covered if e.program not in own} - same))
    rows: list[list[str | int]] = []
    for e in covered[:MAX_ROWS]:
        program = programs.get(e.program)
        by = say("report.earlier_cover", program=program.name if program else e.program, start=day(e.start),
                 end=day(e.end), file=e.file)
        rows.append([where(e.row), e.row.line, e.name, by])
    head_row = [say("report.where"), say("report.line"), say("report.name"), say("report.earlier_by")]
    return (head + f'<div class="status warn" id="earlier-status"><p>{escape(lead)}</p></div>' + guessed
            + table(head_row, rows, ident="earlier", numeric=(1,)))


def _guessed(extra: dict[str, Any]) -> str:
    """What was looked up only at guessed TMTs: the workers without an item of their own, or, in a report
    written before workers had one (no ``already_covered_guessed``), everyone; nothing when none was."""
    count = extra.get("already_covered_guessed")
    if count == 0:
        return ""
    text = say("report.earlier_guessed_all") if count is None else say("report.earlier_guessed", count=count)
    return f'<p class="small" id="earlier-guessed">{escape(text)}</p>'


def _sheets(report: Report) -> str:
    if len(report.sheets) < 2:
        return ""
    rows: list[list[str | int]] = []
    for sheet in report.sheets:
        status = say("report.sheet_read", line=sheet.header_line) if sheet.header_line is not None \
            else say("report.sheet_ignored")
        rows.append([sheet.name or "-", status])
    return f'<h2>{escape(say("report.sheets"))}</h2>' + table([say("report.where"), ""], rows, ident="sheets")


def _duplicate(extra: dict[str, Any] | None) -> str:
    """For a copy of a file already processed under another name: which file, when; its results follow."""
    first = (extra or {}).get("duplicate_of")
    if not first or extra is None:
        return ""
    name = display_name(str(first))
    text = (say("report.duplicate_of", first=name, time=moment(extra["processed_at"])) if extra.get("processed_at")
            else say("report.duplicate_of_undated", first=name))
    return f'<div class="status warn" id="duplicate"><p><strong>{escape(text)}</strong></p></div>'


def render(report: Report, fix_name: str | None = None, extra: dict[str, Any] | None = None,
           programs: Programs | None = None, example_name: str | None = example.NAME,
           fix_shown: str | None = None) -> str:
    """The whole page. ``fix_name`` is the fix-up workbook's file name beside the page (a relative link),
    ``fix_shown`` the name the page gives it (by default the same; an office upload's without the portal's
    stamp, ``offices.display_name``);
    ``example_name`` the example list's, linked when the header was not found."""
    programs = programs or shipped_programs()
    program = programs.get(report.program)
    processed = (f' &middot; {escape(say("report.processed"))}: <span id="processed">'
                 f'{escape(moment(extra["processed_at"]))}</span>') if extra and extra.get("processed_at") else ""
    meta = (f'<p class="meta">{escape(say("report.file"))}: <strong id="file-name">{escape(report.file)}</strong>'
            f' &middot; {escape(say("report.program"))}: {escape(program.name if program else report.program or "-")}'
            f"{processed}</p>")
    body = [f'<h1>{escape(say("report.title"))}</h1>', meta, _duplicate(extra), _status(report, extra)]
    if report.error is FileError.HEADER_NOT_FOUND:
        body.append(_header_help(report, example_name))
    if report.error:
        body.append(_nik_shaped(report))
    if not report.error:
        body += [_summary(report), _covers(report, programs), _earlier(report, extra, programs), _chart(report),
                 _rows_to_fix(report, fix_name, fix_shown), _sheets(report)]
    return document(f'{say("report.title")}: {report.file}', "\n".join(body))
