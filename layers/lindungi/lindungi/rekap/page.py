"""The rekap as the page staff open: ``reports/rekap/<date>.html``.

The headline is the program's own goal (covers renewed, against the city's
27 % and its 40-50 % target), then the quota, the places, the workers to act
on, the covers ending in the next 12 weeks (a chart) and the reminders. No
NIK in full: masked as in the logs (``nik.mask``); the workbook beside the
page has them for staff with access to the bucket. Words from ``outcomes``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from html import escape

from lindungi import nik
from lindungi.outcomes import NOTICE_LABELS, carrier_reason, say
from lindungi.page import cards, column_chart, day, document, local, number, percent, table
from lindungi.rekap.model import CITY_RENEWAL_RATE, TARGET_RENEWAL, UNKNOWN, Listing, Rekap

MAX_ROWS = 500
"""Rows of one list shown on the page; all of them are in the workbook."""


def _place(name: str) -> str:
    return name if name != UNKNOWN else say("rekap.unknown_place")


def _h2(key: str, ident: str) -> str:
    return f'<h2 id="{ident}">{escape(say(key))}</h2>'


def _renewal(rekap: Rekap) -> str:
    total = rekap.renewal()
    low, high = TARGET_RENEWAL
    out = [_h2("rekap.renewal", "renewal")]
    if not total.ended:
        return out[0] + f'<div class="status warn" id="renewal-status"><p>{escape(say("rekap.renewal_none"))}</p></div>'
    rate = total.renewed / total.ended
    klass = "ok" if rate >= low else "warn" if rate >= CITY_RENEWAL_RATE else "bad"
    lead = say("rekap.renewal_lead", ended=number(total.ended), renewed=number(total.renewed),
               rate=percent(total.renewed, total.ended), baseline=f"{100 * CITY_RENEWAL_RATE:.0f} %",
               target=f"{100 * low:.0f}-{100 * high:.0f} %")
    out.append(f'<div class="status {klass}" id="renewal-status"><p><strong>{escape(lead)}</strong></p></div>')
    rows: list[list[str | int]] = []
    for (program, start), ratio in sorted(rekap.cohorts.items()):
        rows.append([_program(rekap, program), day(start), ratio.ended, ratio.renewed,
                     percent(ratio.renewed, ratio.ended)])
    out.append(table([say("rekap.program"), "TMT", say("rekap.ended"), say("rekap.renewed"), say("rekap.rate")],
                     rows, ident="cohorts", numeric=(2, 3, 4), dates=(1,)))
    places: list[list[str | int]] = [[_place(k), r.ended, r.renewed, percent(r.renewed, r.ended)]
              for k, r in sorted(rekap.renewal_places.items())]
    out.append("<h3>" + escape(say("rekap.renewal_places")) + "</h3>" + table(
        [say("rekap.kecamatan"), say("rekap.ended"), say("rekap.renewed"), say("rekap.rate")], places,
        ident="renewal-places", numeric=(1, 2, 3)))
    return "".join(out)


def _program(rekap: Rekap, program: str) -> str:
    found = rekap.programs.get(program)
    return found.name if found else program


def _quota(rekap: Rekap) -> str:
    rows: list[list[str | int]] = []
    notes: list[str] = []
    for program in rekap.programs.by_id.values():
        covered = rekap.covered.get(program.id, 0)
        if program.quota is None:  # self-payers: their own line, no place of the city's quota (said under
            rows.append([program.name, covered, "-", "-"])  # the table: a phone keeps its four columns)
            notes.append(f'<p id="no-quota-{escape(program.id)}">{escape(program.name)}: '
                         f'{escape(say("rekap.no_quota"))}</p>')
            continue
        rows.append([program.name, covered, program.quota, percent(covered, program.quota)])
        if covered > program.quota:
            over = say("rekap.over_quota", over=number(covered - program.quota))
            notes.append(f'<p class="over" id="over-{escape(program.id)}">{escape(program.name)}: {escape(over)}</p>')
    items = [(f"covered-{p.id}", f"{say('rekap.covered')}: {p.name}", rekap.covered.get(p.id, 0))
             for p in rekap.programs.by_id.values()]
    return (_h2("rekap.quota", "quota") + cards(items) + table(
        [say("rekap.program"), say("rekap.covered"), say("rekap.quota_col"), say("rekap.filled")], rows,
        ident="quota-table", numeric=(1, 2, 3), stack=False) + "".join(notes))


def _places(rekap: Rekap) -> str:
    programs = list(rekap.programs.by_id)
    by_kec: dict[str, Counter[str]] = {}
    by_kel: dict[tuple[str, str], Counter[str]] = {}
    for (program, kec, kel), n in rekap.places.items():
        by_kec.setdefault(kec, Counter())[program] += n
        by_kel.setdefault((kec, kel), Counter())[program] += n
    head = [say("rekap.kecamatan"), *(_program(rekap, p) for p in programs), say("rekap.total")]
    kec_rows: list[list[str | int]] = [[_place(k), *(c[p] for p in programs), sum(c.values())]
                                       for k, c in sorted(by_kec.items())]
    kel_rows: list[list[str | int]] = [[_place(k), _place(kel), *(c[p] for p in programs), sum(c.values())]
                                       for (k, kel), c in sorted(by_kel.items())]
    numeric = tuple(range(1, len(head)))
    return (_h2("rekap.places", "places") + table(head, kec_rows, ident="places-table", numeric=numeric,
                                                  stack=len(head) > 4)
            + f"<details><summary>{escape(say('rekap.by_kelurahan'))}</summary>"
            + table([say("rekap.kecamatan"), say("rekap.kelurahan"), *head[1:]], kel_rows, ident="kelurahan-table",
                    numeric=tuple(n + 1 for n in numeric)) + "</details>")


def _listings(rows: Sequence[Listing], ident: str, rekap: Rekap, reason: bool = False) -> str:
    if not rows:
        return f'<p id="{ident}-none">{escape(say("rekap.none"))}</p>'
    head = [say("rekap.nik_masked"), say("rekap.name"), say("rekap.programs"), say("rekap.offices"),
            say("rekap.files")] + ([say("rekap.failed_reason"), say("rekap.failed_since")] if reason else [])
    body: list[list[str | int]] = []
    for row in rows[:MAX_ROWS]:
        line: list[str | int] = [nik.mask(row.nik), row.name, ", ".join(_program(rekap, p) for p in row.programs),
                                 ", ".join(_place(k) for k in row.kecamatan), ", ".join(row.files)]
        body.append(line + ([carrier_reason(row.detail), day(local(row.since).date()) if row.since else "-"]
                            if reason else []))
    more = (f'<p class="small">{escape(say("rekap.more", more=number(len(rows) - MAX_ROWS)))}</p>'
            if len(rows) > MAX_ROWS else "")
    return table(head, body, ident=ident) + more


def _people(rekap: Rekap) -> str:
    out = [_h2("rekap.duplicates", "listed-twice"), f'<p>{escape(say("rekap.duplicates_lead"))}</p>',
           _listings(rekap.listed_twice, "listed-twice-table", rekap),
           _h2("rekap.both_programs", "both-programs"), _listings(rekap.both_programs, "both-programs-table", rekap),
           _h2("rekap.unreachable", "unreachable"),
           "<p>" + escape(say("rekap.unreachable_lead", no_sms=number(len(rekap.no_sms)),
                                 failed=number(len(rekap.failed_numbers)))) + "</p>",
           table([say("rekap.kecamatan"), say("rekap.workers")],
                 [[_place(k), n] for k, n in sorted(rekap.no_sms_places.items())], ident="no-sms-places",
                 numeric=(1,)),
           f"<h3>{escape(say('rekap.number_failed', count=number(len(rekap.failed_numbers))))}</h3>",
           _listings(rekap.failed_numbers, "failed-numbers-table", rekap, reason=True)]
    return "".join(out)


def _ending(rekap: Rekap) -> str:
    weeks = rekap.weeks
    totals = Counter[date]()
    for (week, _), n in rekap.ending.items():
        totals[week] += n
    bars = [(week.strftime("%d-%m"), totals[week]) for week in weeks]
    programs = list(rekap.programs.by_id)
    rows: list[list[str | int]] = [[day(week), *(rekap.ending[(week, p)] for p in programs), totals[week]]
                                   for week in weeks]
    head = [say("rekap.week"), *(_program(rekap, p) for p in programs), say("rekap.total")]
    chart = column_chart(bars, "ending-chart", say("rekap.ending"))
    ending = table(head, rows, ident="ending-table", numeric=tuple(range(1, len(head))), dates=(0,),
                   stack=len(head) > 4)
    return _h2("rekap.ending", "ending") + f'<div class="box">{chart}</div>' + ending


def _reminders(rekap: Rekap) -> str:
    """One row per status, one column per program and stage: as many columns as stages, however many statuses
    there are, so the table fits a laptop's width (and stacks on a phone, each status a block)."""
    seen = {status for (_, _, status) in rekap.notices}
    statuses = [s for s in NOTICE_LABELS if s in seen] + sorted(seen - set(NOTICE_LABELS))
    stages = sorted({(p, s) for (p, s, _) in rekap.notices}, key=lambda k: (k[0], -k[1]))
    rows: list[list[str | int]] = []
    for status in statuses:
        counts = [rekap.notices[(program, stage, status)] for program, stage in stages]
        rows.append([NOTICE_LABELS.get(status, status), *counts, sum(counts)])
    totals = [sum(rekap.notices[(p, s, status)] for status in statuses) for p, s in stages]
    if rows:
        rows.append([say("rekap.total"), *totals, sum(totals)])
    head = [say("rekap.status"), *(say("rekap.program_stage", program=_program(rekap, p), days=s) for p, s in stages),
            say("rekap.total")]
    lead = f'<p class="small">{escape(say("rekap.reminders_lead"))}</p>'
    note = f'<p class="small">{escape(say("rekap.opt_outs", count=number(rekap.opt_outs)))}</p>'
    body = table(head, rows, ident="reminders-table", numeric=tuple(range(1, len(head))))
    return _h2("rekap.reminders", "reminders") + lead + body + note


def render(rekap: Rekap, workbook_name: str | None = None) -> str:
    meta = f'<p class="meta">{escape(say("rekap.as_of", date=day(rekap.today)))}</p>'
    link = ""
    if workbook_name:
        link = (f'<p><a id="workbook" href="{escape(workbook_name)}" download>{escape(say("rekap.workbook"))}</a> '
                f'<span class="small">{escape(say("rekap.workbook_where", name=workbook_name))}</span></p>')
    body = [f'<h1>{escape(say("rekap.title"))}</h1>', meta, link,
            f'<p class="small">{escape(say("rekap.masked_note"))}</p>',
            _renewal(rekap), _quota(rekap), _places(rekap), _people(rekap), _ending(rekap), _reminders(rekap)]
    return document(f'{say("rekap.title")} {day(rekap.today)}', "\n".join(body))

