"""The rekap's use case: read both tables, write ``reports/rekap/<date>.html`` and ``.xlsx`` (bucket or folder)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from lindungi.config import Programs
from lindungi.intake.keys import REKAP
from lindungi.rekap import page, read
from lindungi.rekap.model import Rekap
from lindungi.rekap.workbook import summary, workbook

PREFIX = REKAP
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def names(today: date) -> tuple[str, str]:
    return f"{today.isoformat()}.html", f"{today.isoformat()}.xlsx"


def today_of(moment: datetime, programs: Programs) -> date:
    """The rekap's day: the run's moment in the programs' time zone (WIB)."""
    return moment.astimezone(programs.timezone).date()


def event_day(event: Mapping[str, Any], programs: Programs) -> date:
    """The day a scheduled event stands for (its ``time``, as Scheduler fills it in), else today."""
    raw = event.get("time")
    moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00")) if raw else datetime.now(UTC)
    return today_of(moment, programs)


@dataclass
class Rekapper:
    dynamodb: Any
    workers_table: str
    notices_table: str
    programs: Programs
    reports: tuple[Any, str] | None = None
    """(s3 client, bucket) whose ``reports/`` say which uploads listed whom; None reads the tables only."""

    def build(self, today: date) -> Rekap:
        return read.build(self.dynamodb, self.workers_table, self.notices_table, today, self.programs, self.reports)

    def to_bucket(self, s3: Any, bucket: str, today: date) -> dict[str, Any]:
        rekap = self.build(today)
        html_name, xlsx_name = names(today)
        s3.put_object(Bucket=bucket, Key=PREFIX + xlsx_name, ContentType=XLSX_TYPE, Body=workbook(rekap))
        s3.put_object(Bucket=bucket, Key=PREFIX + html_name, ContentType="text/html; charset=utf-8",
                      Body=page.render(rekap, xlsx_name).encode("utf-8"))
        return summary(rekap) | {"page_key": PREFIX + html_name, "workbook_key": PREFIX + xlsx_name}

    def to_folder(self, folder: Path, today: date) -> dict[str, Any]:
        rekap = self.build(today)
        html_name, xlsx_name = names(today)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / xlsx_name).write_bytes(workbook(rekap))
        (folder / html_name).write_text(page.render(rekap, xlsx_name), encoding="utf-8")
        return summary(rekap) | {"page": str(folder / html_name), "workbook": str(folder / xlsx_name)}
