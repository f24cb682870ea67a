"""Cari peserta: one worker's record by NIK (``lookup.worker``: a Query and a BatchGetItem), in Indonesian, and
the branch's two actions on it: stop SMS to a number (``ops.optout``) and record a new number.

The NIK travels in POST bodies only, never in a URL (no NIK in browser history, in a Referer or in an access
log); every look-up and action is audited with the NIK masked. Numbers are shown masked; an action names a
number by its place in the record, and the server reads the record again to find the number itself.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import escape
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import LambdaFunctionUrlRouter

from lindungi import nik, phone
from lindungi.dynamo import update_if
from lindungi.intake.keys import office_from_key
from lindungi.lookup.worker import CoverView, WorkerRecord, read_worker
from lindungi.offices import display_name
from lindungi.ops.audit import audit
from lindungi.ops.optout import add_opt_out
from lindungi.outcomes import NOTICE_LABELS, carrier_reason, say
from lindungi.page import WIB, Html, day, moment, table
from lindungi.portal import pages
from lindungi.portal.roles import Staff
from lindungi.portal.session import BadForm, Forbidden, Portal, checked_form, html, staff_of
from lindungi.workers import worker_key

router = LambdaFunctionUrlRouter()
_NOT_DIGITS = re.compile(r"[\s.\-]")


def _portal() -> Portal:
    found: Portal = router.context["portal"]
    return found


def clean_nik(text: str) -> str | None:
    """16 digits, spaces, dots and dashes allowed between them (as NIKs are read aloud and written)."""
    digits = _NOT_DIGITS.sub("", text or "")
    return digits if len(digits) == 16 and digits.isascii() and digits.isdigit() else None


def _looker(staff: Staff) -> Staff:
    if not staff.looks_workers_up:
        raise Forbidden
    return staff


@router.get("/peserta")
def lookup_page() -> Response[str]:
    staff, found = staff_of(router.current_event, _portal())
    _looker(staff)
    return html(pages.document(say("portal.lookup"), _search(found.csrf), staff, found.csrf))


def _search(csrf: str, value: str = "") -> str:
    extra = f' inputmode="numeric" maxlength="24" value="{escape(value)}"'
    return (f'<h1>{escape(say("portal.lookup"))}</h1><p class="meta">{escape(say("portal.lookup_lead"))}</p>'
            + pages.form("/peserta", [pages.field("portal.lookup_nik", "nik", "text", "off", extra)],
                         "portal.lookup_search", csrf, "lookup"))


@router.post("/peserta")
def lookup() -> Response[str]:
    portal = _portal()
    staff, found, fields = checked_form(router.current_event, portal)
    _looker(staff)
    wanted = clean_nik(fields.get("nik", ""))
    if wanted is None:
        body = _search(found.csrf, fields.get("nik", "")[:24]) + pages.status("bad", say("portal.lookup_bad_nik"),
                                                                              "message")
        return html(pages.document(say("portal.lookup"), body, staff, found.csrf), status=400)
    return _record_page(portal, staff, found.csrf, wanted)


def _record_page(portal: Portal, staff: Staff, csrf: str, wanted: str, note: str = "") -> Response[str]:
    record = read_worker(portal.dynamodb, portal.settings.workers_table, portal.settings.notices_table,
                         portal.programs, wanted)
    audit("worker lookup", staff.username, nik=nik.mask(wanted), role=staff.role.value, found=record.found,
          covers=len(record.covers))
    body = _search(csrf, wanted) + note + render(record, staff, csrf, portal)
    return html(pages.document(say("portal.lookup"), body, staff, csrf))


def render(record: WorkerRecord, staff: Staff, csrf: str, portal: Portal, today: date | None = None) -> str:
    """The record as the branch reads it: covers, the contact, each reminder stage, the numbers' states."""
    shown = nik.mask(record.nik)
    if not record.found:
        return pages.status("warn", say("portal.lookup_none", nik=shown), "lookup-none")
    today = today or datetime.now(WIB).date()
    parts = [f'<h2 id="worker">{escape(say("portal.lookup_worker", nik=shown))}</h2>']
    name = next((c.name for c in reversed(record.covers) if c.name), None)
    if name:
        parts.append(f'<p class="meta" id="worker-name">{escape(name)}</p>')
    parts.append(f'<h3>{escape(say("portal.lookup_covers"))}</h3>')
    head = [say("portal.lookup_program"), say("portal.lookup_start"), say("portal.lookup_end"),
            say("portal.lookup_state"), say("portal.lookup_list"), say("portal.lookup_office")]
    parts.append(table(head, [_cover_row(c, today, portal) for c in record.covers], "covers", dates=(1, 2)))
    contact = record.contact or ""
    parts.append(f'<h3>{escape(say("portal.lookup_contact"))}</h3><p id="contact">'
                 f'{escape(contact or say("portal.lookup_contact_none"))}</p>')
    if record.fallback:
        parts.append(f'<p class="small">{escape(say("portal.lookup_fallback", phone=record.fallback))}</p>')
    parts.append(f'<h3>{escape(say("portal.lookup_reminders"))}</h3>')
    rows = []
    for cover in record.covers:
        program = _program_name(cover.program, portal)
        for n in sorted(cover.notices, key=lambda n: -n.stage):
            rows.append([program, say("rekap.stage_days", days=n.stage), _notice_state(n.status, n.carrier_reason),
                         _notice_when(n.planned_for, n.outcome_at, n.carrier_at)])
        for stage in cover.stages_not_planned:
            rows.append([program, say("rekap.stage_days", days=stage), say("portal.lookup_not_planned"), "-"])
    parts.append(table([say("portal.lookup_program"), say("portal.lookup_stage"), say("portal.lookup_status"),
                        say("portal.lookup_when")], rows, "reminders"))
    parts.append(f'<h3>{escape(say("portal.lookup_numbers"))}</h3>')
    number_rows: list[list[str | int]] = []
    for place, number in enumerate(record.numbers):
        states = []
        if number.opted_out:
            states.append(say("portal.lookup_opted_out"))
        if number.unreachable:
            states.append(say("portal.lookup_dead", moment=moment(number.unreachable_since) if
                              number.unreachable_since else "-",
                              reason=carrier_reason(number.unreachable_reason or "")))
        action: str = "-"
        if staff.changes_contacts and not number.opted_out:
            action = Html(pages.form("/peserta/tolak-sms", [pages.hidden("nik", record.nik),
                                                                  pages.hidden("nomor", str(place))],
                                           "portal.optout", csrf, f"optout-{place}", danger=True))
        number_rows.append([number.phone, "; ".join(states) or say("portal.lookup_may_text"), action])
    parts.append(table([say("portal.lookup_number"), say("portal.lookup_state"), say("portal.lookup_action")],
                       number_rows, "numbers"))
    if staff.changes_contacts:
        parts.append(f'<h3>{escape(say("portal.new_number"))}</h3><p>{escape(say("portal.new_number_lead"))}</p>'
                     + pages.form("/peserta/nomor-baru", [pages.hidden("nik", record.nik),
                                                          pages.field("portal.new_number_field", "phone", "tel")],
                                  "portal.new_number", csrf, "new-number"))
    return "".join(parts)


def _program_name(program_id: str, portal: Portal) -> str:
    program = portal.programs.get(program_id)
    return program.name if program else program_id


def _cover_row(cover: CoverView, today: date, portal: Portal) -> list[str | int]:
    start, end = date.fromisoformat(cover.start), date.fromisoformat(cover.end)
    state = (say("portal.lookup_renewed", day=day(date.fromisoformat(cover.renewed_by))) if cover.renewed_by
             else say("portal.lookup_not_yet") if today < start
             else say("portal.lookup_ended") if today > end else say("portal.lookup_active"))
    source = cover.source_key or ""
    office = office_from_key(source)
    return [_program_name(cover.program, portal), day(start), day(end), state, display_name(source) if source else "-",
            portal.programs.office_name(office) if office else "-"]


def _notice_state(status: str, reason: str | None) -> str:
    label = NOTICE_LABELS.get(status, status)
    if status == "carrier_failed" and reason:
        return f"{label}: {carrier_reason(reason)}"
    return label


def _notice_when(planned_for: str | None, outcome_at: str | None, carrier_at: str | None) -> str:
    when = carrier_at or outcome_at
    if when:
        return moment(when)
    return say("portal.lookup_planned_for", moment=moment(planned_for)) if planned_for else "-"


@router.post("/peserta/tolak-sms")
def opt_out() -> Response[str]:
    """Stop SMS to one of the worker's numbers: the staff opt-out list the sender reads before every SMS."""
    portal = _portal()
    staff, found, fields = checked_form(router.current_event, portal)
    if not staff.changes_contacts:
        raise Forbidden
    wanted = clean_nik(fields.get("nik", ""))
    place = fields.get("nomor", "")
    if wanted is None or not place.isdigit():
        raise BadForm("opt-out")
    record = read_worker(portal.dynamodb, portal.settings.workers_table, portal.settings.notices_table,
                         portal.programs, wanted, show_contact=True)
    if int(place) >= len(record.numbers):
        raise BadForm("opt-out number")
    e164 = record.numbers[int(place)].phone
    add_opt_out(portal.dynamodb, portal.settings.notices_table, e164, reason=f"portal:{staff.username}")
    audit("opt-out", staff.username, nik=nik.mask(wanted), phone=phone.mask(e164), role=staff.role.value)
    note = pages.status("ok", say("portal.optout_done", phone=phone.mask(e164)), "message")
    return _record_page(portal, staff, found.csrf, wanted, note)


@router.post("/peserta/nomor-baru")
def new_number() -> Response[str]:
    """Record a new number for the worker: their own item's ``phone``, which the sender texts from the next
    reminder on (a later list with a number replaces it, as lists replace each other's)."""
    portal = _portal()
    staff, found, fields = checked_form(router.current_event, portal)
    if not staff.changes_contacts:
        raise Forbidden
    wanted = clean_nik(fields.get("nik", ""))
    if wanted is None:
        raise BadForm("new number")
    read = phone.normalize(fields.get("phone", "")[:40])
    if not read.sms_capable or read.multiple or read.e164 is None:
        note = pages.status("bad", say("portal.new_number_bad"), "message")
        return _record_page(portal, staff, found.csrf, wanted, note)
    if not set_contact(portal.dynamodb, portal.settings.workers_table, wanted, read.e164, staff.username):
        note = pages.status("bad", say("portal.new_number_no_item"), "message")
        return _record_page(portal, staff, found.csrf, wanted, note)
    audit("new number", staff.username, nik=nik.mask(wanted), phone=phone.mask(read.e164), role=staff.role.value)
    note = pages.status("ok", say("portal.new_number_done", phone=phone.mask(read.e164)), "message")
    return _record_page(portal, staff, found.csrf, wanted, note)


def set_contact(dynamodb: Any, table: str, worker: str, e164: str, by: str, now: datetime | None = None) -> bool:
    """The worker's own item's number becomes ``e164``, listed now (so an older list does not bring the old one
    back) and without the old cell's fallback. False when the worker has no item of their own (stored before
    workers had one: their covers' numbers are what the sender reads, and a list brings the new number)."""
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return update_if(dynamodb, table, worker_key(worker), condition="attribute_exists(pk)",
                     sets={"phone": e164, "phone_listed_at": stamp, "phone_by": f"portal:{by}"},
                     remove=("phone_fallback",))
