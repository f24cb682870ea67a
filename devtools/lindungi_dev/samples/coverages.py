"""Coverage items as ingestion stores them, for the tests and benchmarks that seed WorkersTable directly.

One builder, so every test and benchmark seeds the table through ``intake.store.coverage_item`` (the
code ingestion runs) with the same defaults, rather than each keeping its own copy of an accepted row:

    coverage("6172014509850003", end=date(2025, 5, 31))            a worker, the rest defaulted
    sample_coverage(worker, line=7)                                  a worker of ``samples.workers``
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lindungi import dates, phone
from lindungi.config import programs
from lindungi.intake.store import Source, coverage_item
from lindungi.rows import Accepted, RowRef
from lindungi_dev.samples import Worker

PROGRAM = "pekerja-rentan"
START = date(2025, 1, 1)
PHONE = "+6281234567890"
LISTED_AT = "2025-01-05T03:00:00+00:00"


def coverage(nik: str, *, program: str = PROGRAM, start: date = START, end: date | None = None,
             phone: str | None = PHONE, sms_capable: bool | None = None, name: str = "SITI AMINAH",
             key: str = "daftar.xlsx", listed_at: str = LISTED_AT, bucket: str = "lists",
             line: int = 5, sheet: str | None = "Kec. Barat", version_id: str | None = None,
             **details: Any) -> dict[str, Any]:
    """One coverage item; ``end`` defaults to the program's months after ``start``, ``sms_capable`` to
    whether there is a phone; ``details`` are further ``Accepted`` fields (kecamatan, kelurahan, ...)."""
    config = programs()
    end = end or dates.coverage_end(start, config.by_id[program].months)
    row = Accepted(row=RowRef(line=line, sheet=sheet), nik=nik, name=name, phone=phone, program=program,
                   coverage_start=start, coverage_end=end,
                   sms_capable=phone is not None if sms_capable is None else sms_capable, **details)
    source = Source(bucket=bucket, key=f"incoming/{program}/{key}", version_id=version_id, sha256="0" * 64,
                    listed_at=listed_at)
    return coverage_item(row, source, config)


def sample_coverage(worker: Worker, *, line: int, start: date | None = None, key: str = "bench.xlsx",
                    listed_at: str = "2025-01-02T02:00:00+00:00", sheet: str | None = None,
                    version_id: str | None = None, full: bool = False) -> dict[str, Any]:
    """A sample worker as the list gave it: its TMT (or ``start``), its phone normalised as ingestion
    does; ``full`` keeps the optional columns (birth date, gender, address, kelurahan, ...)."""
    begin = start or dates.parse(worker.tmt)
    assert begin is not None, worker.tmt
    contact = phone.normalize(worker.phone)
    details: dict[str, Any] = {}
    if full:
        details = {"birth_date": worker.birth_date, "gender": worker.gender, "address": worker.address,
                   "kelurahan": worker.kelurahan, "kecamatan": worker.kecamatan, "occupation": worker.occupation}
    return coverage(worker.nik, program=worker.program, start=begin, phone=contact.e164,
                    sms_capable=contact.sms_capable, name=worker.name, key=key, listed_at=listed_at,
                    bucket="bench", line=line, sheet=sheet, version_id=version_id,
                    **details)
