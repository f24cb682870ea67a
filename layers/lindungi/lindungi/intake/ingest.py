"""One uploaded object to stored coverages and a report beside it in the bucket: the upload use case.

``incoming/<program>/<name>`` is read and validated (``check``), its accepted rows stored (``store``),
and its report written beside it under ``reports/<program>/`` (``publish``: the JSON, the fix-up
workbook, the page). The uploaded object is never changed or deleted.

Idempotency is by content: the bytes are hashed first, then the store step
(``_store_and_report``: parse, validate, look up the workers' earlier covers (``earlier``), store,
report) runs through Powertools Idempotency keyed on (program, SHA-256), so it runs once however many events,
versions or names carry the same list. The persistence layer and the
``IdempotencyConfig`` (``idempotency_config``) are given by the caller: the
handler builds them from its environment, tests on moto. A stored response
comes back through the config's ``response_hook``, which marks it replayed.
A copy under another name gets a report of its own, made from the first
copy's report: the file is not parsed again.

A second delivery of content another invocation is still reading (S3's
at-least-once twin of an upload, or a copy under another name) waits for it,
polling the idempotency record, for up to half its own time (``twin_wait_until``):
Lambda's two retries of a failed asynchronous event come within about three
minutes, so a twin that failed at once lost the event to the failure queue
whenever the first took longer to read. When the first finishes, the twin's
call returns its stored response (one report; a copy gets its own from it);
when the first died and its in-progress lock expired (Powertools sets it to the
first invocation's remaining time), the twin does the work itself; still
locked after the wait, it fails as before and Lambda delivers it again later.

Only a file that was read is remembered by its content for the idempotency period. A file that failed as
a whole (``program_unknown``, a limit, ...) failed under a configuration: inside the store step, reading
runs as a second idempotent step (``_read_or_fail``) keyed on (program, SHA-256, ``config_fingerprint``)
and kept ``FAILED_FILE_HOURS``. It remembers failures only: a file that reads raises ``_Readable`` through
it, which Powertools answers by forgetting the record, and a failure raises ``_Failed`` through the store
step, which forgets the content's record. So the same failed bytes replay their report while the
configuration is the same and for a few hours, and are read again once ``programs.json`` or the limits
change, or the hours pass. Powertools deletes a record whenever its function raises, and configures a
persistence layer once: the failures' step has a layer of its own, a copy of the caller's.
"""

from __future__ import annotations

import copy
import hashlib
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from botocore.exceptions import ClientError

from lindungi.config import Programs
from lindungi.config import programs as shipped_programs
from lindungi.dynamo import Backoff
from lindungi.intake import earlier, keys, publish, riwayat, store
from lindungi.intake.check import check
from lindungi.intake.report import Report
from lindungi.intake.validate import shown
from lindungi.offices import display_name
from lindungi.outcomes import DUPLICATE_NOTE, FileError, Reject
from lindungi.rows import Rejected
from lindungi.settings import Limits

IDEMPOTENCY_KEY = "[program, sha256]"
"""What of the store step's payload is the idempotency key: not the object's name, so a copy is a duplicate."""
KEY_PREFIX = "app.store_once"
"""The idempotency records' key prefix, pinned to what Powertools derived from the handler's function
before the store step moved here, so content remembered before that is still remembered."""
FAILED_KEY = "[program, sha256, config]"
"""What a failed file is remembered by: its content under one configuration (``config_fingerprint``)."""
FAILED_KEY_PREFIX = "app.failed_file"
FAILED_FILE_HOURS = 6
"""How long a file that failed as a whole is remembered under an unchanged configuration: long enough that
S3's duplicate deliveries and a clerk's repeated uploads do not read it again, short enough that a failure
that was not the configuration's (a read that ran out of time on a busy day) is tried afresh the same day."""


def decode_key(raw: str) -> str:
    """S3 event keys are URL-encoded with ``+`` for spaces: ``Daftar+Peserta+%282%29.xlsx``."""
    return unquote_plus(raw)


def program_from_key(key: str) -> str | None:
    """``incoming/pekerja-rentan/x.xlsx`` -> ``pekerja-rentan``; a file directly in incoming/ has none."""
    parts = key.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] + "/" == keys.INCOMING and parts[1] else None


READ_MARGIN_SECONDS = 60.0
READ_MARGIN_SHARE = 0.2
"""Of the Lambda's remaining time, reading a file may use all but 60 s and a fifth: the rest is for
storing the rows and writing the report, so a file that takes too long still gets its report."""
GONE_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "404", "MethodNotAllowed"})
"""GetObject's answers for an object or version deleted since its event (405: the version is a delete marker)."""


TWIN_WAIT_SHARE = 0.5
"""Of the Lambda's remaining time, how much a delivery may spend waiting for another invocation holding the
same content: the rest is enough to do the work itself when that one died and its lock expired."""
TWIN_POLL_SECONDS = 5.0
"""How often a waiting delivery asks the idempotency record again (one conditional PutItem each time)."""


def twin_wait_until(remaining_ms: int, now: float | None = None) -> float:
    """Until when (``time.monotonic()``) a delivery waits for a twin holding the same content."""
    now = time.monotonic() if now is None else now
    return now + TWIN_WAIT_SHARE * remaining_ms / 1000


def read_deadline(remaining_ms: int, now: float | None = None) -> float:
    """When reading must end (``time.monotonic()``), given the Lambda's remaining time in milliseconds."""
    remaining = remaining_ms / 1000
    now = time.monotonic() if now is None else now
    return now + max(1.0, remaining - READ_MARGIN_SECONDS - READ_MARGIN_SHARE * remaining)


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    version_id: str | None
    size: int
    event_time: str
    event_name: str = "ObjectCreated:Put"

    @property
    def program(self) -> str | None:
        return program_from_key(self.key)

    @property
    def filename(self) -> str:
        return display_name(self.key)


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
    skipped: str | None = None
    """``folder`` (a key ending in ``/``) or ``gone`` (deleted since the event): no report, not a failure."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def idempotency_config(expires_after_days: int) -> IdempotencyConfig:
    """The store step's idempotency: by (program, SHA-256), remembered ``expires_after_days`` days."""
    return IdempotencyConfig(
        event_key_jmespath=IDEMPOTENCY_KEY,
        expires_after_seconds=expires_after_days * 86_400,
        response_hook=_replayed,
    )


def failed_file_config(expires_after_hours: int = FAILED_FILE_HOURS) -> IdempotencyConfig:
    """The failures' idempotency: by (program, SHA-256, configuration), remembered a few hours."""
    return IdempotencyConfig(
        event_key_jmespath=FAILED_KEY, expires_after_seconds=expires_after_hours * 3_600, response_hook=_replayed,
    )


def config_fingerprint(programs: Programs, limits: Limits) -> str:
    """A short hash of what decides whether a file fails as a whole: the programs (folders, names, months,
    defaults, templates) and the limits. Both are frozen dataclasses whose ``repr`` is their whole value."""
    return hashlib.sha256(repr((programs, limits)).encode()).hexdigest()[:16]


class _Readable(Exception):
    """The file was read: carried out of ``_read_or_fail`` so that Powertools forgets its record."""

    def __init__(self, report: Report) -> None:
        super().__init__("readable")
        self.report = report


class _Failed(Exception):
    """The file failed as a whole: carried out of the store step so that its content is not remembered."""

    def __init__(self, outcome: dict[str, Any]) -> None:
        super().__init__("failed")
        self.outcome = outcome


def _replayed(response: Any, idempotent_data: DataRecord) -> dict[str, Any]:
    """Powertools' response hook, called when the stored response is returned instead of running the step."""
    outcome = dict(response or {})
    outcome.pop("nonce", None)  # what responses stored before the hook carried instead
    outcome["replayed"] = True
    return outcome


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
    persistence: BasePersistenceLayer
    idempotency: IdempotencyConfig
    limits: Limits = field(default_factory=Limits.from_env)
    programs: Programs = field(default_factory=shipped_programs)
    backoff: Backoff = field(default_factory=Backoff)
    failures: IdempotencyConfig = field(default_factory=failed_file_config)

    def __post_init__(self) -> None:
        self._store_once = idempotent_function(
            self._store_and_report, data_keyword_argument="payload", persistence_store=self.persistence,
            config=self.idempotency, key_prefix=KEY_PREFIX,
        )
        failures_layer = copy.copy(self.persistence)
        failures_layer.configured = False
        self._read_or_fail_once = idempotent_function(
            self._read_or_fail, data_keyword_argument="payload", persistence_store=failures_layer,
            config=self.failures, key_prefix=FAILED_KEY_PREFIX,
        )

    def process(self, upload: Upload, deadline: float | None = None, wait_until: float | None = None) -> Outcome:
        """Read, validate, store and report one object. Raises only when storing failed (to be retried).

        ``deadline`` (``time.monotonic()``, see ``read_deadline``) is when reading the file must end;
        ``wait_until`` (``twin_wait_until``) how long to wait for another invocation holding the same content
        (None: fail at once with ``IdempotencyAlreadyInProgressError``).
        A folder (key ending in ``/``) and an object gone since its event are skipped, not failed.
        """
        if keys.is_folder(upload.key):
            return _skipped(upload, "folder")
        if upload.event_name.startswith("ObjectRemoved"):
            return _skipped(upload, "gone")
        if upload.size > self.limits.max_file_bytes:
            report = Report(file=upload.filename, program=upload.program, error=FileError.TOO_LARGE,
                            error_detail=f"{upload.size} bytes")
            json_key = publish.put_report(self.s3, upload.bucket, upload.key, report, None)
            return self._recorded(upload, _outcome(upload, None, report, json_key), None)
        downloaded = self._download(upload)
        if downloaded is None:
            return _skipped(upload, "gone")
        data, metadata = downloaded
        sha256 = hashlib.sha256(data).hexdigest()
        payload = {"program": upload.program, "sha256": sha256, "key": upload.key}
        try:
            outcome = Outcome(**self._store_after_twin(payload, data, upload, deadline, wait_until))
        except _Failed as failed:
            outcome = Outcome(**failed.outcome)
        if outcome.replayed and outcome.key != upload.key:
            outcome = self._report_copy(upload, data, outcome, deadline)
        return self._recorded(upload, outcome, metadata.get(riwayat.UPLOADER_METADATA))

    def _recorded(self, upload: Upload, outcome: Outcome, uploader: str | None) -> Outcome:
        """The outcome, recorded in its office's riwayat when the upload is an office's (``intake.riwayat``)."""
        item = riwayat.upload_item(upload.key, upload.event_time, uploader, outcome.program, outcome.report_key,
                                   outcome.error, outcome.counts, outcome.duplicate_of)
        if item is not None:
            riwayat.record(self.dynamodb, self.table, item)
        return outcome

    def _store_after_twin(
        self, payload: dict[str, Any], data: bytes, upload: Upload, deadline: float | None, wait_until: float | None
    ) -> dict[str, Any]:
        """The store step, once another invocation holding the same content has finished or lost its lock."""
        while True:
            try:
                result: dict[str, Any] = self._store_once(payload=payload, data=data, upload=upload, deadline=deadline)
                return result
            except IdempotencyAlreadyInProgressError:
                if wait_until is None or time.monotonic() + TWIN_POLL_SECONDS > wait_until:
                    raise
                time.sleep(TWIN_POLL_SECONDS)

    def _download(self, upload: Upload) -> tuple[bytes, dict[str, str]] | None:
        """The object's bytes (up to one byte over the limit) and its user metadata, or None when it is gone
        since its event."""
        args: dict[str, Any] = {"Bucket": upload.bucket, "Key": upload.key}
        if upload.version_id:
            args["VersionId"] = upload.version_id
        try:
            found = self.s3.get_object(**args)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in GONE_CODES:
                return None
            raise
        data: bytes = found["Body"].read(self.limits.max_file_bytes + 1)
        return data, dict(found.get("Metadata") or {})

    def _store_and_report(
        self, payload: dict[str, Any], data: bytes, upload: Upload, deadline: float | None = None
    ) -> dict[str, Any]:
        """The step run once per content: parse and validate, store the accepted rows, write the report.

        A file that failed as a whole leaves by ``_Failed``: remembered under its configuration, not here."""
        config = config_fingerprint(self.programs, self.limits)
        try:
            failure = self._read_or_fail_once(payload=payload | {"config": config}, data=data, upload=upload,
                                              deadline=deadline)
        except _Readable as readable:
            report = readable.report
        else:
            raise _Failed(failure)
        source = store.Source(
            bucket=upload.bucket, key=upload.key, version_id=upload.version_id,
            sha256=payload["sha256"], listed_at=upload.event_time,
        )
        requests = 0
        extra: dict[str, Any] = {"processed_at": datetime.now(UTC).isoformat(timespec="seconds")}
        if report.error is None and report.accepted:
            covers = _fitting_items(report, source, self.programs)  # first: only the rows stored are looked up
            try:
                existing = store.read_workers(self.dynamodb, self.table, report.accepted)
            except Exception:
                self._store_failed(upload, report)
                raise
            found = earlier.find(self.dynamodb, self.table, report.accepted, upload.key, self.programs, existing)
            extra["already_covered"] = None if found is None else [e.to_dict() for e in found.earlier]
            if found is not None:
                extra["already_covered_guessed"] = found.guessed
            try:
                requests = store.merge_workers(self.dynamodb, self.table, report.accepted, source, covers=covers,
                                               holder=f"{source.sha256[:16]}:{uuid.uuid4().hex}",
                                               backoff=self.backoff).requests
            except Exception:
                self._store_failed(upload, report)
                raise
        json_key = publish.put_report(self.s3, upload.bucket, upload.key, report, payload["sha256"], extra)
        return _outcome(upload, payload["sha256"], report, json_key, requests).to_dict()

    def _store_failed(self, upload: Upload, report: Report) -> None:
        """The report of a list whose rows could not be stored (the event is retried)."""
        failed = Report(file=report.file, program=report.program, error=FileError.STORE_FAILED)
        publish.put_report(self.s3, upload.bucket, upload.key, failed, None)

    def _read_or_fail(
        self, payload: dict[str, Any], data: bytes, upload: Upload, deadline: float | None = None
    ) -> dict[str, Any]:
        """Parse and validate; a file that failed as a whole gets its report here, and this answer is kept.

        A file that was read leaves by ``_Readable`` with its report, so nothing is kept here for it."""
        report = check(data, upload.filename, upload.program, limits=self.limits, programs=self.programs,
                       deadline=deadline)
        if report.error is None:
            raise _Readable(report)
        json_key = publish.put_report(self.s3, upload.bucket, upload.key, report, payload["sha256"])
        return _outcome(upload, payload["sha256"], report, json_key).to_dict()

    def _report_copy(self, upload: Upload, data: bytes, first: Outcome, deadline: float | None = None) -> Outcome:
        """The same bytes were processed under another name: a report of its own, nothing stored again."""
        extra = {"duplicate_of": first.key, "stored": False, "note": DUPLICATE_NOTE}
        json_key = publish.copy_report(self.s3, upload.bucket, upload.key, first, extra)
        if json_key is None:  # the first copy's report is gone (expired) or now describes other content
            report = check(data, upload.filename, upload.program, limits=self.limits, programs=self.programs,
                           deadline=deadline)
            json_key = publish.put_report(self.s3, upload.bucket, upload.key, report, first.sha256, extra)
        return Outcome(
            key=upload.key, version_id=upload.version_id, program=first.program, sha256=first.sha256,
            report_key=json_key, error=first.error, counts=first.counts, duplicate_of=first.key, replayed=True,
        )


def _fitting_items(report: Report, source: store.Source, programs: Programs) -> list[dict[str, Any]]:
    """The accepted rows' items; a row whose item DynamoDB would refuse is moved to the rejected rows as
    ``row_too_large`` (named in the report) rather than failing its batch, and the file, on every retry."""
    items, kept, too_large = [], [], []
    for row in report.accepted:
        item = store.coverage_item(row, source, programs)
        if store.fits(item):
            items.append(item)
            kept.append(row)
        else:
            raw = row.raw or {"nik": row.nik, "name": shown(row.name)}
            too_large.append(Rejected(row.row, row.nik, shown(row.name), [Reject.ROW_TOO_LARGE], raw))
    if too_large:
        report.accepted = kept
        report.rejected = [*report.rejected, *too_large]
    return items


def _skipped(upload: Upload, why: str) -> Outcome:
    return Outcome(key=upload.key, version_id=upload.version_id, program=upload.program, sha256=None,
                   report_key="", error=None, skipped=why)
