"""Rekap: the latest daily rekap page (``reports/rekap/<date>.html``, written by ``rekap.publish``) and its
workbook, for the roles that read it (``Staff.reads_rekap``). The page is served as stored at ``/rekap/``, so
its relative link to ``<date>.xlsx`` resolves to ``/rekap/<date>.xlsx``, a short-lived presigned GET.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import escape
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import LambdaFunctionUrlRouter
from botocore.exceptions import ClientError

from lindungi.intake.keys import REKAP
from lindungi.ops.audit import audit
from lindungi.outcomes import say
from lindungi.page import WIB
from lindungi.portal import pages, uploads
from lindungi.portal.session import Forbidden, NotFound, Portal, html, security_headers, staff_of

router = LambdaFunctionUrlRouter()
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _portal() -> Portal:
    found: Portal = router.context["portal"]
    return found


def latest(s3: Any, bucket: str, now: datetime | None = None) -> tuple[str, bytes] | None:
    """(key, page) of the newest rekap: today's or yesterday's (WIB) by key, one ``GetObject`` each, else the
    newest a listing of ``reports/rekap/`` finds (the rekap stopped for a while); None when there is none."""
    today = (now or datetime.now(WIB)).astimezone(WIB).date()
    for day in (today, today - timedelta(days=1)):
        found = _get(s3, bucket, f"{REKAP}{day.isoformat()}.html")
        if found is not None:
            return f"{REKAP}{day.isoformat()}.html", found
    pages_found = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=REKAP)
                   for o in page.get("Contents", []) if _DAY.fullmatch(o["Key"].removeprefix(REKAP)[:-5] or "")
                   and o["Key"].endswith(".html")]
    if not pages_found:
        return None
    key = max(pages_found)
    body = _get(s3, bucket, key)
    return (key, body) if body is not None else None


def _get(s3: Any, bucket: str, key: str) -> bytes | None:
    try:
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise
    return body


@router.get("/rekap")
def rekap_redirect() -> Response[str]:
    return Response(status_code=303, body="", headers={"Location": "/rekap/", **security_headers(pages.csp())})


@router.get("/rekap/")
def rekap_page() -> Response[str]:
    portal = _portal()
    staff, found = staff_of(router.current_event, portal)
    if not staff.reads_rekap:
        raise Forbidden
    got = latest(portal.s3, portal.settings.bucket)
    if got is None:
        body = f'<h1>{escape(say("portal.rekap"))}</h1>' + pages.status("warn", say("portal.rekap_none"), "message")
        return html(pages.document(say("portal.rekap"), body, staff, found.csrf))
    key, page = got
    audit("rekap view", staff.username, key=key, role=staff.role.value)
    return html(page.decode("utf-8"), csp=pages.STORED_PAGE_CSP)


@router.get("/rekap/<name>")
def rekap_workbook(name: str) -> Response[str]:
    portal = _portal()
    staff, _ = staff_of(router.current_event, portal)
    if not staff.reads_rekap:
        raise Forbidden
    if not (name.endswith(".xlsx") and _DAY.fullmatch(name.removesuffix(".xlsx"))):
        raise NotFound
    key = f"{REKAP}{name}"
    audit("rekap workbook", staff.username, key=key, role=staff.role.value)
    url = uploads.presigned_get(portal.s3, portal.settings.bucket, key)
    return Response(status_code=303, body="", headers={"Location": url, **security_headers(pages.csp())})
