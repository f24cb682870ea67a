"""The lists' pages: upload (``/unggah``), what became of it (``/unggah/selesai``), the riwayat (``/riwayat``) and
the reports (``/laporan/...``), each object checked against the user's scope (``Staff.may_read``) on the server.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote, unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import LambdaFunctionUrlRouter
from botocore.exceptions import ClientError

from lindungi.intake import example, keys, publish
from lindungi.logs import get_logger
from lindungi.offices import display_name
from lindungi.ops.audit import audit
from lindungi.outcomes import say
from lindungi.page import Html, moment, number, table
from lindungi.portal import pages, uploads
from lindungi.portal.auth import ID_COOKIE
from lindungi.portal.roles import Staff
from lindungi.portal.session import (
    Forbidden,
    NotFound,
    Portal,
    cookies,
    html,
    origin,
    security_headers,
    staff_of,
)

logger = get_logger()
router = LambdaFunctionUrlRouter()
REFRESH_SECONDS = 5


def _portal() -> Portal:
    found: Portal = router.context["portal"]
    return found


def _uploader(staff: Staff) -> Staff:
    if not staff.uploads:
        raise Forbidden
    return staff


@router.get("/unggah")
def upload_page() -> Response[str]:
    portal = _portal()
    staff, found = staff_of(router.current_event, portal)
    _uploader(staff)
    mb = portal.settings.max_file_bytes // 2**20
    chosen = portal.programs.get(router.current_event.get_query_string_value("program"))
    head = (f'<h1>{escape(say("portal.upload"))}</h1><p>{escape(say("portal.upload_lead", mb=mb))}</p>'
            f'<p><a href="/contoh-daftar-peserta.xlsx" id="example">{escape(say("portal.upload_example"))}</a></p>')
    if chosen is None:  # first the program (its policy fixes the folder), then the file
        options = "".join(f'<option value="{escape(p.id)}">{escape(p.name)}</option>'
                          for p in portal.programs.by_id.values())
        body = (f'<form class="box" method="get" action="/unggah" id="choose-program">'
                f'<label for="program">{escape(say("portal.upload_program"))}</label>'
                f'<select id="program" name="program">{options}</select>'
                f'<button class="main" type="submit">{escape(say("portal.send"))}</button></form>')
        return html(pages.document(say("portal.upload"), head + body, staff, found.csrf))
    form = uploads.upload_form(portal.s3, portal.settings.bucket, staff, chosen.id,
                               data_key_arn=portal.settings.data_key_arn, max_bytes=portal.settings.max_file_bytes,
                               redirect=origin(router.current_event) + "/unggah/selesai")
    hidden = "".join(pages.hidden(name, value) for name, value in form.fields.items())
    body = (f'<form class="box" method="post" action="{escape(form.url)}" enctype="multipart/form-data" '
            f'id="upload">{hidden}<p>{escape(say("portal.upload_program"))}: <strong id="program-name">'
            f'{escape(chosen.name)}</strong> (<a href="/unggah">{escape(say("portal.upload_program"))}</a>)</p>'
            f'<label for="file">{escape(say("portal.upload_file"))}</label>'
            f'<input type="file" id="file" name="file" '
            f'accept=".xlsx,.xlsm,.xlsb,.xls,.ods,.csv,.pdf" required>'
            f'<button class="main" type="submit">{escape(say("portal.upload_send"))}</button></form>')
    return html(pages.document(say("portal.upload"), head + body, staff, found.csrf),
                form_targets=(_form_origin(form.url),))


def _form_origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


@router.get("/contoh-daftar-peserta.xlsx")
def example_workbook() -> Response[bytes]:
    staff_of(router.current_event, _portal())
    return Response(status_code=200, content_type=publish.XLSX_TYPE, body=example.workbook(),
                    headers={**security_headers("default-src 'none'"),
                             "Content-Disposition": f'attachment; filename="{example.NAME}"'})


@router.get("/unggah/selesai")
def upload_done() -> Response[str]:
    """Where S3 sends the browser after the upload (``?bucket=&key=&etag=``): the report when it is ready.

    S3's 303 is a navigation from another site, and a browser sends no ``SameSite=Strict`` cookie on it: the
    first arrival without the session cookie gets a page that reloads itself from the portal's own origin
    (``&lanjut=1``), a same-site navigation that carries the cookies. Only then does a missing session send
    the clerk to sign in."""
    portal = _portal()
    event = router.current_event
    if ID_COOKIE not in cookies(event) and event.get_query_string_value("lanjut") != "1":
        return html(_same_site_hop(event.raw_query_string))
    staff, found = staff_of(event, portal)
    key = router.current_event.get_query_string_value("key") or ""
    if not (key.startswith(keys.INCOMING) and staff.may_read(_report_of(key))):
        raise Forbidden
    state = uploads.progress(portal.s3, portal.settings.bucket, key)
    if state is None:
        raise NotFound
    name = display_name(key)
    if not state.ready:
        body = (f'<h1>{escape(say("portal.upload"))}</h1>'
                + pages.status("warn", say("portal.upload_wait", file=name), "upload-wait"))
        page = pages.document(say("portal.upload"), body, staff, found.csrf).replace(
            "<head>\n", f'<head>\n<meta http-equiv="refresh" content="{REFRESH_SECONDS}">\n', 1)
        return html(page)
    link = _report_link(state.page_key)
    body = (f'<h1>{escape(say("portal.upload"))}</h1>'
            + pages.status("ok", say("portal.upload_ready", file=name), "upload-ready")
            + f'<p><a class="main" id="open-report" href="{escape(link)}">{escape(say("portal.upload_open"))}</a></p>')
    return html(pages.document(say("portal.upload"), body, staff, found.csrf))


def _same_site_hop(query: str) -> str:
    """A page with nothing but a refresh to itself plus ``lanjut=1``: no data, no session needed."""
    target = escape("/unggah/selesai?" + (query + "&" if query else "") + "lanjut=1")
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0;url={target}"><title>{escape(say("portal.upload"))}</title>'
            f'</head><body><p><a href="{target}">{escape(say("portal.upload_open"))}</a></p></body></html>')


def _report_of(upload_key: str) -> str:
    return publish.page_key(upload_key)


def _report_link(page_key: str) -> str:
    """``reports/<program>/<office>/<name>.html`` -> ``/laporan/<program>/<office>/<name>.html``: the fix-up
    workbook's relative link on the page then resolves to the portal's own route beside it."""
    rest = page_key.removeprefix(keys.REPORTS)
    return "/laporan/" + "/".join(quote(part, safe="") for part in rest.split("/"))


@router.get("/riwayat")
def riwayat() -> Response[str]:
    portal = _portal()
    staff, found = staff_of(router.current_event, portal)
    asked = router.current_event.get_query_string_value("kantor")
    office = staff.riwayat_office(asked)
    if office is None and not staff.sees_every_office:
        raise Forbidden
    pick = ""
    if staff.sees_every_office:
        pick = (f'<form class="box" method="get" action="/riwayat" id="pick-office">'
                f'{_office_choice(portal, office)}'
                f'<button class="main" type="submit">{escape(say("portal.send"))}</button></form>')
    if office is None:
        body = f'<h1>{escape(say("portal.riwayat"))}</h1>{pick}'
        return html(pages.document(say("portal.riwayat"), body, staff, found.csrf))
    items = uploads.riwayat(portal.dynamodb, portal.settings.workers_table, office)
    rows = []
    for item in items:
        program = portal.programs.get(str(item.get("program") or ""))
        outcome = say("portal.riwayat_failed") if item.get("error") else say(
            "portal.riwayat_counts", accepted=number(int(item.get("accepted", 0))),
            rejected=number(int(item.get("rejected", 0))), warned=number(int(item.get("warned", 0))))
        if item.get("duplicate_of"):
            outcome += f" ({say('portal.riwayat_same')})"
        link = Html(f'<a href="{escape(_report_link(publish.page_key(str(item["key"]))))}">'
                          f'{escape(say("portal.riwayat_report"))}</a>')
        rows.append([moment(str(item["uploaded_at"])), str(item.get("uploader") or "-"), display_name(str(item["key"])),
                     program.name if program else str(item.get("program", "")), outcome, link])
    head = [say("portal.riwayat_when"), say("portal.riwayat_by"), say("portal.riwayat_file"),
            say("portal.upload_program"), say("portal.riwayat_outcome"), say("portal.riwayat_report")]
    body = (f'<h1>{escape(say("portal.riwayat_office", office=portal.programs.office_name(office)))}</h1>{pick}'
            f'<p class="meta">{escape(say("portal.riwayat_lead"))}</p>{table(head, rows, "riwayat", dates=(0,))}')
    return html(pages.document(say("portal.riwayat"), body, staff, found.csrf))


def _office_choice(portal: Portal, chosen: str | None) -> str:
    """The configured offices by name (``programs.json``'s ``offices``), or, with none configured, the id typed."""
    offices = sorted(portal.programs.offices.items(), key=lambda item: item[1])
    if not offices:
        return pages.field("portal.riwayat_pick", "kantor")
    options = "".join(f'<option value="{escape(office)}"{" selected" if office == chosen else ""}>{escape(name)}'
                      f"</option>" for office, name in offices)
    return (f'<label for="kantor">{escape(say("portal.riwayat_pick"))}</label>'
            f'<select id="kantor" name="kantor">{options}</select>')


@router.get("/laporan/.+")
def report() -> Response[str]:
    """``/laporan/<program>/<office>/<name>`` (an office's upload) or ``/laporan/<program>/<name>`` (a list
    dropped in from the S3 console: for the city and operators): the object under ``reports/``. A route by
    pattern, so any file name matches (quotes, ``#``, letters of any script)."""
    rest = raw_path(router.current_event.path).removeprefix("/laporan/")
    if rest.rsplit("/", 1)[-1] == example.NAME:  # the example a "header not found" page links beside itself
        return Response(status_code=303, body="", headers={"Location": "/contoh-daftar-peserta.xlsx",
                                                           **security_headers(pages.csp())})
    return _report(keys.REPORTS + rest)


_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def raw_path(path: str) -> str:
    """The request's path as the browser meant it. Function URLs hand ``rawPath`` over decoded (as API
    Gateway's HTTP APIs do); a path still percent-encoded (ASCII, no space, with ``%XX``) is decoded here."""
    if path.isascii() and " " not in path and _ENCODED.search(path):
        return unquote(path)
    return path


def _report(key: str) -> Response[str]:
    """A report page (served as stored, the same page staff open from the bucket) or its fix-up workbook (a
    redirect to a short-lived presigned GET), after the scope check; each view is audited."""
    portal = _portal()
    staff, _ = staff_of(router.current_event, portal)
    if not (key.endswith(".html") or key.endswith(publish.REPORT_SUFFIXES[1])) or not staff.may_read(key):
        logger.info("report refused", extra={"role": staff.role.value})
        raise Forbidden
    audit("report view", staff.username, key=key, role=staff.role.value, office=keys.office_from_key(key),
          program=key.removeprefix(keys.REPORTS).split("/", 1)[0],
          what="workbook" if key.endswith(publish.REPORT_SUFFIXES[1]) else "page")
    if key.endswith(".html"):
        try:
            stored = portal.s3.get_object(Bucket=portal.settings.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound from None
            raise
        return html(stored["Body"].read().decode("utf-8"), csp=pages.STORED_PAGE_CSP)
    url = uploads.presigned_get(portal.s3, portal.settings.bucket, key)
    return Response(status_code=303, body="", headers={"Location": url, **security_headers(pages.csp())})
