"""An upload's report objects in the bucket, beside the upload: what ``ingest`` writes for staff to read.

``incoming/<program>/<name>`` -> ``reports/<program>/<name>.json`` (the report of domain.md),
``reports/<program>/<name>.perbaikan.xlsx`` (the rejected and warned rows, for staff to fix and upload
again; only when there are such rows) and ``reports/<program>/<name>.html`` (the page staff open,
``report_page``); when the header was not found, the example list the page links to beside it
(``reports/<program>/contoh-daftar-peserta.xlsx``). Each object carries, as S3 metadata ``sha256``,
the SHA-256 of the content it describes, so a report left from other content under the same name is
told apart. A copy of content already processed under another name gets the first copy's report under
its own name (``copy_report``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any, Protocol

from botocore.exceptions import ClientError

from lindungi.intake import example, keys, report_page
from lindungi.intake.report import ROW_LISTS, Report, fix_workbook, json_chunks
from lindungi.offices import display_name
from lindungi.outcomes import FileError

REPORT_SUFFIXES = (".json", ".perbaikan.xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


def report_keys(key: str) -> tuple[str, str]:
    """The JSON report's key and the fix-up workbook's, shortened to fit S3 when needed (``keys.fit``)."""
    stem = keys.fit(keys.REPORTS, keys.report_rest(key.removeprefix(keys.INCOMING)), REPORT_SUFFIXES, source=key)
    json_suffix, fix_suffix = REPORT_SUFFIXES
    return stem + json_suffix, stem + fix_suffix


def page_key(key: str) -> str:
    """``reports/<program>/<name>.html``: the report page beside the JSON (same stem: ``.html`` is shorter
    than ``.perbaikan.xlsx``, so a stem that fits S3 for the workbook fits for the page)."""
    return report_keys(key)[0].removesuffix(".json") + ".html"


def put_report(
    s3: Any, bucket: str, key: str, report: Report, sha256: str | None, extra: dict[str, Any] | None = None
) -> str:
    """The report of the object ``key`` (JSON, the fix-up workbook when rows need fixing, the page); its JSON key."""
    json_key, fix_key = report_keys(key)
    fields = {"source_key": key} | (extra or {})  # the upload answered, also when its key was shortened
    _put(s3, bucket, json_key, JSON_TYPE, _joined(report.json_chunks(_lines(fields))), sha256)
    fix = fix_workbook(report)
    if fix is not None:
        _put(s3, bucket, fix_key, XLSX_TYPE, fix, sha256)
    fix_name = fix_key.rsplit("/", 1)[-1] if fix is not None else None
    page = report_page.render(report, fix_name, extra, fix_shown=display_name(fix_key))
    _put(s3, bucket, page_key(key), HTML_TYPE, page.encode("utf-8"), sha256)
    if report.error is FileError.HEADER_NOT_FOUND:  # the page links to it, beside itself
        _put(s3, bucket, example_key(key), XLSX_TYPE, example.workbook(), None)
    return json_key


def example_key(key: str) -> str:
    """``reports/<program>/contoh-daftar-peserta.xlsx``: the example list beside the page of ``key``."""
    return page_key(key).rsplit("/", 1)[0] + "/" + example.NAME


class FirstCopy(Protocol):
    """What the use case remembers of the first upload of some content (``ingest.Outcome``)."""

    key: str
    report_key: str
    program: str | None
    sha256: str | None
    counts: dict[str, Any]


def copy_report(s3: Any, bucket: str, key: str, first: FirstCopy, extra: dict[str, Any]) -> str | None:
    """The first copy's report under the name ``key`` (its rows, this file's name, ``extra``): its JSON key,
    or None when the first copy's report is unusable (gone, or now describing other content)."""
    json_key, fix_key = report_keys(key)
    stored = _read(s3, bucket, first.report_key, first.sha256)
    if stored is None:
        return None
    fix = None
    if first.counts.get("rejected") or first.counts.get("warned"):
        fix = _read(s3, bucket, report_keys(first.key)[1], first.sha256)
        if fix is None:
            return None
    fields = json.loads(stored["Body"].read()) | {"file": display_name(key), "source_key": key} | extra
    _put(s3, bucket, json_key, JSON_TYPE, _joined(json_chunks(_lines(fields).items())), first.sha256)
    if fix is not None:
        _put(s3, bucket, fix_key, XLSX_TYPE, fix["Body"].read(), first.sha256)
    page = report_page.render(Report.from_dict(fields), fix_key.rsplit("/", 1)[-1] if fix is not None else None,
                              fields, fix_shown=display_name(fix_key))
    _put(s3, bucket, page_key(key), HTML_TYPE, page.encode("utf-8"), first.sha256)
    return json_key


def _lines(fields: dict[str, Any]) -> dict[str, Any]:
    """The lists of rows among a report's fields as iterators: written one row a line."""
    return {name: iter(value) if name in ROW_LISTS and isinstance(value, list) else value
            for name, value in fields.items()}


def _read(s3: Any, bucket: str, key: str, sha256: str | None) -> dict[str, Any] | None:
    """``get_object`` of a report object describing the content ``sha256``; None when it is not
    there (any more) or describes other content (the first copy's name was reused since)."""
    try:
        found = dict(s3.get_object(Bucket=bucket, Key=key))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise
    return found if found.get("Metadata", {}).get("sha256") == sha256 else None


def _put(s3: Any, bucket: str, key: str, content_type: str, body: bytes, sha256: str | None) -> None:
    """One report object, with the SHA-256 of the content it describes (to tell a stale report)."""
    metadata = {"sha256": sha256} if sha256 else {}
    s3.put_object(Bucket=bucket, Key=key, ContentType=content_type, Body=body, Metadata=metadata)


def _joined(chunks: Iterable[str]) -> bytes:
    body = io.BytesIO()
    for chunk in chunks:
        body.write(chunk.encode("utf-8"))
    return body.getvalue()
