"""One uploaded object to stored coverages and a report beside it in the bucket.

``incoming/<program>/<name>`` -> ``reports/<program>/<name>.json`` (the report
of domain.md) and ``reports/<program>/<name>.perbaikan.xlsx`` (the rejected
and warned rows, for staff to fix and upload again). The uploaded object is
never changed or deleted.

Idempotency is by content: the store step runs once per (program, SHA-256 of
the bytes), however many events, versions or names carry the same list. The
caller supplies that guarantee (``once``; Powertools Idempotency in the
Lambda), so this module stays plain.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from lindungi.config import Limits, Programs
from lindungi.config import programs as shipped_programs
from lindungi.intake import store
from lindungi.intake.check import check
from lindungi.intake.report import Report, fix_workbook
from lindungi.outcomes import FileError

INCOMING = "incoming/"
REPORTS = "reports/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def decode_key(raw: str) -> str:
    """S3 event keys are URL-encoded with ``+`` for spaces: ``Daftar+Peserta+%282%29.xlsx``."""
    return unquote_plus(raw)


def program_from_key(key: str) -> str | None:
    """``incoming/pekerja-rentan/x.xlsx`` -> ``pekerja-rentan``; a file directly in incoming/ has none."""
    parts = key.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] + "/" == INCOMING and parts[1] else None


def report_keys(key: str) -> tuple[str, str]:
    rest = key[len(INCOMING) :] if key.startswith(INCOMING) else key
    return f"{REPORTS}{rest}.json", f"{REPORTS}{rest}.perbaikan.xlsx"


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    version_id: str | None
    size: int
    event_time: str

    @property
    def program(self) -> str | None:
        return program_from_key(self.key)

    @property
    def filename(self) -> str:
        return self.key.rsplit("/", 1)[-1]


@dataclass
class Outcome:
    """What one object came to: small, no personal data, what logs and metrics carry."""

    key: str
    version_id: str | None
    program: str | None
    sha256: str | None
    report_key: str
    error: str | None
    counts: dict[str, Any] = field(default_factory=dict)
    write_requests: int = 0
    duplicate_of: str | None = None
    replayed: bool = False
    """True when this delivery stored nothing: the same content was already processed."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _put_report(s3: Any, bucket: str, key: str, report: Report, extra: dict[str, Any] | None = None) -> str:
    json_key, fix_key = report_keys(key)
    body = io.BytesIO()
    for chunk in report.json_chunks(extra):
        body.write(chunk.encode("utf-8"))
    s3.put_object(
        Bucket=bucket, Key=json_key, ContentType="application/json; charset=utf-8", Body=body.getvalue(),
    )
    fix = fix_workbook(report)
    if fix is not None:
        s3.put_object(Bucket=bucket, Key=fix_key, ContentType=XLSX_TYPE, Body=fix)
    return json_key


def _outcome(upload: Upload, sha256: str | None, report: Report, json_key: str, requests: int = 0) -> Outcome:
    return Outcome(
        key=upload.key, version_id=upload.version_id, program=report.program, sha256=sha256,
        report_key=json_key, error=report.error.value if report.error else None,
        counts=report.counts(), write_requests=requests,
    )


@dataclass
class Ingestor:
    """Everything ``process`` needs, built once per Lambda container."""

    s3: Any
    dynamodb: Any
    table: str
    limits: Limits = field(default_factory=Limits.from_env)
    programs: Programs = field(default_factory=shipped_programs)
    backoff: store.Backoff = field(default_factory=store.Backoff)

    def process(self, upload: Upload, once: Callable[..., dict[str, Any]] | None = None) -> Outcome:
        """Read, validate, store and report one object. Raises only when storing failed (to be retried)."""
        if upload.size > self.limits.max_file_bytes:
            report = Report(file=upload.filename, program=upload.program, error=FileError.TOO_LARGE,
                            error_detail=f"{upload.size} bytes")
            return _outcome(upload, None, report, _put_report(self.s3, upload.bucket, upload.key, report))
        args: dict[str, Any] = {"Bucket": upload.bucket, "Key": upload.key}
        if upload.version_id:
            args["VersionId"] = upload.version_id
        data: bytes = self.s3.get_object(**args)["Body"].read(self.limits.max_file_bytes + 1)
        sha256 = hashlib.sha256(data).hexdigest()
        payload = {"program": upload.program, "sha256": sha256, "key": upload.key}
        run = once or self.store_and_report
        nonce = uuid.uuid4().hex  # not part of the idempotency key: tells a fresh run from a replay
        result: dict[str, Any] = dict(run(payload=payload, data=data, upload=upload, nonce=nonce))
        fresh = result.pop("nonce", None) == nonce
        outcome = Outcome(**result)
        outcome.replayed = not fresh
        if not fresh and outcome.key != upload.key:
            # The same bytes were processed under another name: say so, store nothing again.
            report = check(data, upload.filename, upload.program, limits=self.limits, programs=self.programs)
            outcome = _outcome(upload, sha256, report, "")
            outcome.duplicate_of, outcome.replayed = result["key"], True
            outcome.report_key = _put_report(
                self.s3, upload.bucket, upload.key, report,
                {"duplicate_of": result["key"], "stored": False,
                 "note": "Isi berkas ini sama dengan berkas yang sudah diproses; tidak ada data yang disimpan ulang."},
            )
        return outcome

    def store_and_report(self, payload: dict[str, Any], data: bytes, upload: Upload, nonce: str = "") -> dict[str, Any]:
        report = check(data, upload.filename, upload.program, limits=self.limits, programs=self.programs)
        source = store.Source(
            bucket=upload.bucket, key=upload.key, version_id=upload.version_id,
            sha256=payload["sha256"], listed_at=upload.event_time,
        )
        requests = 0
        if report.error is None and report.accepted:
            items = (store.coverage_item(row, source, self.programs) for row in report.accepted)
            try:
                requests = store.write_items(self.dynamodb, self.table, items, backoff=self.backoff).requests
            except Exception:
                failed = Report(file=report.file, program=report.program, error=FileError.STORE_FAILED)
                _put_report(self.s3, upload.bucket, upload.key, failed)
                raise
        json_key = _put_report(self.s3, upload.bucket, upload.key, report)
        return _outcome(upload, payload["sha256"], report, json_key, requests).to_dict() | {"nonce": nonce}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
