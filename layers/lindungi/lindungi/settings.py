"""Every environment variable the code reads, read here: typed, each default stated once.

Each function has one settings class, read once at cold start by its handler (``IngestSettings.from_env()``)
and passed on; tests build the same classes directly (``PlannerSettings(workers_table=..., ...)``). A field
names its variable with ``env(NAME, default)``; a blank or missing variable means the default, and a field
without a default must be set. ``FUNCTION_SETTINGS`` maps each function of template.yaml to its class, and
tests/integration/test_settings.py checks the template against it: every variable a function's settings
read is set for that function, none is set that nothing reads, and the template's values agree with the
defaults here. Variables read by libraries (``POWERTOOLS_*`` by Powertools, ``AWS_*`` by botocore) are
theirs, not ours.

A new function: one class here (its fields, ``env(...)`` each), one line in ``FUNCTION_SETTINGS``, and its
variables in its ``Environment`` in template.yaml.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Self

_VAR = "lindungi.env"
_NESTED = "lindungi.nested"
MB = 2**20

LIBRARY_PREFIXES = ("POWERTOOLS_", "AWS_")
"""Variables read by Powertools and botocore themselves (log level, metrics namespace, retry mode)."""


class SettingsError(ValueError):
    """A variable missing (and without a default) or not of its type."""


@dataclass(frozen=True)
class Var:
    """An environment variable, and how its text becomes the field's value."""

    name: str
    parse: Callable[[str], Any]


def env(name: str, default: Any = dataclasses.MISSING, parse: Callable[[str], Any] = str) -> Any:
    """A settings field read from the variable ``name`` (``parse`` turns its text into the field's type)."""
    return field(default=default, metadata={_VAR: Var(name, parse)})


def nested(cls: type[Settings]) -> Any:
    """A settings field that is a group of its own (``IngestSettings.limits``), read from the same environment."""
    return field(default_factory=cls, metadata={_NESTED: cls})


def megabytes(text: str) -> int:
    return int(text) * MB


def kilobytes(text: str) -> int:
    return int(text) * 1024


def minutes(text: str) -> timedelta:
    return timedelta(minutes=int(text))


def seconds(text: str) -> timedelta:
    return timedelta(seconds=int(text))


class Settings:
    """Base of the settings classes (frozen dataclasses whose fields are ``env(...)`` or ``nested(...)``)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """The settings from ``env`` (default: this process's environment)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if _NESTED in f.metadata:
                values[f.name] = f.metadata[_NESTED].from_env(env)
                continue
            var: Var = f.metadata[_VAR]
            raw = (env.get(var.name) or "").strip()
            if not raw:
                if f.default is dataclasses.MISSING:
                    raise SettingsError(f"{cls.__name__}: {var.name} must be set")
                continue
            try:
                values[f.name] = var.parse(raw)
            except ValueError as error:
                raise SettingsError(f"{cls.__name__}: {var.name}={raw!r} is not valid ({error})") from None
        return cls(**values)

    @classmethod
    def variables(cls) -> dict[str, tuple[Var, Any]]:
        """Every variable these settings read -> (the variable, its default or ``dataclasses.MISSING``)."""
        found: dict[str, tuple[Var, Any]] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if _NESTED in f.metadata:
                found.update(f.metadata[_NESTED].variables())
            else:
                found[f.metadata[_VAR].name] = (f.metadata[_VAR], f.default)
        return found


# ------------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class Limits(Settings):
    """Checked before the expensive work starts; over any of them is ``file_too_large``."""

    max_file_bytes: int = env("MAX_FILE_MB", 50 * MB, megabytes)
    max_rows: int = env("MAX_ROWS", 150_000, int)
    max_pdf_pages: int = env("MAX_PDF_PAGES", 1_500, int)
    max_unzipped_bytes: int = env("MAX_UNZIPPED_MB", 400 * MB, megabytes)
    """Decompressed content of one .xlsx (zip bombs stop here)."""
    max_line_bytes: int = env("MAX_LINE_KB", 1024 * 1024, kilobytes)
    """One CSV line."""
    max_cells: int = env("MAX_CELLS", 8_000_000, int)
    """Cells in one sheet's used range (first to last used row times column): calamine builds that grid."""
    reader_memory_bytes: int = env("READER_MEMORY_MB", 1024 * MB, megabytes)
    """Address space a reader's child process may add to the parent's (xls, xlsb, ods, every PDF); in Lambda
    at most half the function's memory (``within_memory``)."""
    read_seconds: float = env("READ_SECONDS", 600.0, float)
    """How long reading one file may take when no deadline is given (the Lambda gives its remaining time)."""
    max_ignored: int = env("MAX_IGNORED", 30_000, int)
    """Rows set aside (headers repeated, footers, lines that are not workers) before the file is too large."""

    def within_memory(self, memory_mb: int) -> Limits:
        """These limits for a function of ``memory_mb``: a reader's child may add at most half of it (the
        parent holds the file and the rows read so far)."""
        return dataclasses.replace(self, reader_memory_bytes=min(self.reader_memory_bytes, memory_mb * MB // 2))


@dataclass(frozen=True)
class PdfSettings(Settings):
    workers: int = env("PDF_WORKERS", 0, int)
    """Worker processes reading a PDF's pages; 0: one per CPU this process may use, at most 4. Read per file
    (``intake.readers.pdf.worker_count``), so a benchmark can compare counts in one process."""


@dataclass(frozen=True)
class ProgramsSettings(Settings):
    programs_file: str | None = env("LINDUNGI_PROGRAMS_FILE", None)
    """A programs.json to use instead of the shipped one (local runs and tests; never set in template.yaml)."""


# ------------------------------------------------------------------------------- one per function


@dataclass(frozen=True)
class IngestSettings(Settings):
    workers_table: str = env("WORKERS_TABLE")
    idempotency_table: str = env("IDEMPOTENCY_TABLE")
    idempotency_days: int = env("IDEMPOTENCY_DAYS", 90, int)
    """How long an upload's content is remembered, so re-uploading the same bytes stores nothing twice."""
    limits: Limits = nested(Limits)
    pdf: PdfSettings = nested(PdfSettings)

    @property
    def idempotency_seconds(self) -> int:
        return self.idempotency_days * 86_400


@dataclass(frozen=True)
class PlannerSettings(Settings):
    workers_table: str = env("WORKERS_TABLE")
    notices_table: str = env("NOTICES_TABLE")
    queue_url: str = env("REMINDER_QUEUE_URL")
    queue_key: str = env("REMINDER_QUEUE_KEY")
    """The KMS key (ARN) whose data keys seal the queue's bodies (``reminders.sealed``): the stack's DataKey."""
    max_per_run: int = env("MAX_SMS_PER_RUN", 3000, int)
    """Ceiling on messages a run puts on the queue (each is at most one SMS)."""
    outbox_grace: timedelta = env("OUTBOX_GRACE_MINUTES", timedelta(minutes=15), minutes)
    """How long a planned notice may sit in the outbox before a run queues it again."""
    threads: int = env("PLANNER_THREADS", 1, int)
    """Conditional puts in flight at once; one is enough for a city's day (moto is not thread-safe)."""
    continuation_queue_url: str | None = env("PLANNER_CONTINUATION_QUEUE_URL", None)
    """Where a run that runs out of time hands the rest over (``PlannerContinuationQueue``)."""
    reserve: timedelta = env("PLANNER_RESERVE_SECONDS", timedelta(seconds=60), seconds)
    """A run stops planning when less than this is left before the function's timeout."""


@dataclass(frozen=True)
class SenderSettings(Settings):
    notices_table: str = env("NOTICES_TABLE")
    workers_table: str = env("WORKERS_TABLE")
    queue_key: str = env("REMINDER_QUEUE_KEY")
    """The KMS key (ARN) the queue's sealed bodies must name; the sender decrypts their data keys with it."""
    queue_url: str | None = env("REMINDER_QUEUE_URL", None)
    max_receive_count: int = env("MAX_RECEIVE_COUNT", 5, int)
    """The queue's redrive ``maxReceiveCount``: on that receive a failure is final (recorded, then the DLQ)."""
    lease: timedelta = env("CLAIM_LEASE_SECONDS", timedelta(minutes=3), seconds)
    """How long a claim protects a notice: above the sender's timeout, below the queue's visibility timeout."""
    optout_list_ttl: float = env("OPTOUT_LIST_TTL_SECONDS", 300.0, float)
    """Seconds the account's SNS opt-out list is kept once read."""


@dataclass(frozen=True)
class ReceiptsSettings(Settings):
    notices_table: str = env("NOTICES_TABLE")
    """Where the carrier's outcome is recorded, and the UNREACHABLE#<number> list kept."""
    failed_queue_url: str | None = env("RECEIPTS_FAILED_QUEUE_URL", None)
    """Where a batch that could not be recorded is kept, numbers masked (``reminders.failed_receipts``)."""


@dataclass(frozen=True)
class RekapSettings(Settings):
    """The daily rekap (``functions/rekap``); ``python -m lindungi rekap`` reads the same variables."""

    workers_table: str = env("WORKERS_TABLE")
    notices_table: str = env("NOTICES_TABLE")
    reports_bucket: str | None = env("REPORTS_BUCKET", None)
    """Where the uploads' reports are read (double listings) and reports/rekap/ is written; the function's is set."""


@dataclass(frozen=True)
class PortalSettings(Settings):
    """The staff portal (``functions/portal``): the tables and bucket it reads for staff, and the user pool."""

    workers_table: str = env("WORKERS_TABLE")
    notices_table: str = env("NOTICES_TABLE")
    bucket: str = env("UPLOAD_BUCKET")
    """Uploads go to incoming/<program>/<office>/ by presigned POST; reports are read from reports/."""
    client_id: str = env("USER_POOL_CLIENT_ID")
    issuer: str = env("COGNITO_ISSUER")
    """``https://cognito-idp.<region>.amazonaws.com/<pool id>``: every token's ``iss``."""
    jwks_url: str = env("COGNITO_JWKS_URL")
    """The pool's signing keys; the emulator points it at moto's ``/<pool id>/.well-known/jwks.json``."""
    data_key_arn: str = env("DATA_KEY_ARN")
    """The bucket's KMS key: a presigned POST must ask for it (``x-amz-server-side-encryption-aws-kms-key-id``)."""
    max_file_bytes: int = env("MAX_FILE_MB", 50 * MB, megabytes)
    """The largest upload the presigned POST allows: ingestion's own limit."""


FUNCTION_SETTINGS: dict[str, type[Settings]] = {
    "IngestFunction": IngestSettings,
    "PlannerFunction": PlannerSettings,
    "SenderFunction": SenderSettings,
    "ReceiptsFunction": ReceiptsSettings,
    "RekapFunction": RekapSettings,
    "PortalFunction": PortalSettings,
}
"""template.yaml's functions (logical ids) -> the settings each reads."""


# ------------------------------------------------------------------------------- operators' commands


@dataclass(frozen=True)
class OptOutSettings(Settings):
    """``python -m lindungi opt-out``."""

    notices_table: str = env("NOTICES_TABLE")


@dataclass(frozen=True)
class UnreachableSettings(Settings):
    """``python -m lindungi unreachable``."""

    notices_table: str = env("NOTICES_TABLE")


@dataclass(frozen=True)
class ReplaySettings(Settings):
    """``python -m lindungi replay``."""

    queue_url: str | None = env("INGEST_FAILED_QUEUE_URL", None)
    """The stack output IngestFailedQueueUrl (``--queue-url`` wins)."""


@dataclass(frozen=True)
class ReplayReceiptsSettings(Settings):
    """``python -m lindungi replay-receipts``."""

    queue_url: str | None = env("RECEIPTS_FAILED_QUEUE_URL", None)
    """The stack output ReceiptsFailedQueueUrl (``--queue-url`` wins)."""
    function: str | None = env("RECEIPTS_FUNCTION", None)
    """The stack output ReceiptsFunctionName; default: the function named in each kept batch."""


@dataclass(frozen=True)
class ReminderDlqSettings(Settings):
    """``python -m lindungi reminder-dlq``."""

    notices_table: str = env("NOTICES_TABLE")
    queue_url: str | None = env("REMINDER_DLQ_URL", None)
    """The stack output ReminderDLQUrl (``--queue-url`` wins)."""
    queue_key: str | None = env("REMINDER_QUEUE_KEY", None)
    """The stack output DataKeyArn: the key that sealed the bodies (``--key`` wins)."""


@dataclass(frozen=True)
class PauseSettings(Settings):
    """``python -m lindungi sms pause|resume|status``: the two switches of all sending."""

    planner_schedule: str | None = env("PLANNER_SCHEDULE_NAME", None)
    """The stack output PlannerScheduleName (``--schedule`` wins)."""
    sender_function: str | None = env("SENDER_FUNCTION", None)
    """The stack output SenderFunctionName (``--sender-function`` wins)."""


@dataclass(frozen=True)
class LookupSettings(Settings):
    """``python -m lindungi worker``: the tables one worker's story is read from."""

    workers_table: str = env("WORKERS_TABLE")
    notices_table: str = env("NOTICES_TABLE")


def environ() -> dict[str, str]:
    """A copy of this process's environment, for a command that adds to it before ``from_env``."""
    return dict(os.environ)
