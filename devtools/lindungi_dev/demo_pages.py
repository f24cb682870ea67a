"""The end of ``make demo``: the pages staff open, written for the sample lists and kept with a screenshot each.

1. The branch's list of BPU self-payers arrives in its own program's folder (``incoming/bpu-mandiri/``): a
   third of the vulnerable workers who paid on after their cover ended, with a later TMT (and, without an
   Iuran Sampai column, the program's default month). It is what the rekap's headline counts as renewed,
   and no place of the city's quota.
2. The report page of every list (``reports/<program>/<name>.html``, written by the ingest function) and the
   rekap (``reports/rekap/<date>.html`` and ``.xlsx``, written by the rekap function, invoked as Scheduler
   would) are copied from the emulator's bucket to ``.local/demo/``.
3. Each page gets two screenshots in ``.local/demo/screenshots/``: as a phone and as a laptop see it.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from lindungi.config import programs
from lindungi.dates import coverage_end

from . import browser, samples
from .emulator.server import Emulator
from .emulator.template import ROOT

RENEWAL_KEY = "incoming/bpu-mandiri/Daftar BPU Mandiri Juni 2025 (kantor cabang).xlsx"
REKAP_DAY = date(2025, 8, 20)
"""The rekap's day in a demo without reminders: the vulnerable workers' first covers (TMT January to March 2025,
five months) have ended; the self-payers' covers (from June to August, a month each) have ended or end within
the 12 weeks the page looks ahead. After the reminder days the rekap is taken the day after the last of them
(``rekap_day``): the table then holds every reminder sent, and a rekap dated earlier would show reminders from
its future."""


def rekap_day(reminder_days: list[date]) -> date:
    """The day the demo's rekap describes: the day after the last simulated reminder day, else ``REKAP_DAY``."""
    return max(reminder_days) + timedelta(days=1) if reminder_days else REKAP_DAY
REKAP_EVENT = ROOT / "events" / "rekap-schedule.json"


def renewal_list(rentan: int) -> bytes:
    """Every third vulnerable worker of the demo's list, paying on from the day after their cover ended."""
    months = programs().by_id["pekerja-rentan"].months
    renewed = []
    for worker in samples.workers(rentan, "pekerja-rentan", seed=1)[::3]:
        end = coverage_end(datetime.strptime(worker.tmt, "%d-%m-%Y").date(), months)
        renewed.append(replace(worker, tmt=(end + timedelta(days=1)).strftime("%d-%m-%Y")))
    return samples.write_xlsx(renewed, "bpu-mandiri")


def _reattach_function_logs(log_path: Path) -> None:
    """The functions' loggers were made while an earlier step of the demo sent stdout to ``log_path`` (since
    closed): point them at it again. A logger made elsewhere (an earlier test of the process) is left alone."""
    for logger in [logging.getLogger(), *(v for v in logging.root.manager.loggerDict.values()
                                          if isinstance(v, logging.Logger))]:
        for handler in logger.handlers:
            stream = getattr(handler, "stream", None)
            if isinstance(handler, logging.StreamHandler) and getattr(stream, "closed", False) \
                    and getattr(stream, "name", None) == str(log_path):
                handler.stream = sys.stdout  # setStream() would flush the closed one first


def _download(emu: Emulator, bucket: str, key: str, to: Path) -> Path:
    to.write_bytes(emu.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    return to


def _screenshots(pages: list[Path], folder: Path) -> list[Path]:
    if browser.chromium() is None:
        print(f"No screenshots: {browser.INSTALL_HINT}")
        return []
    shots = []
    for page in pages:
        shots.append(browser.screenshot(page, folder / f"{page.stem}.phone.png", browser.PHONE, full_height=2400))
        shots.append(browser.screenshot(page, folder / f"{page.stem}.laptop.png", browser.LAPTOP, full_height=2400))
    return shots


def staff_pages(emu: Emulator, bucket: str, report_keys: list[str], rentan: int, out: Path,
                day: date = REKAP_DAY) -> dict[str, Any]:
    """Upload the self-payers' list, run the rekap for ``day``, copy every page locally and screenshot it."""
    _reattach_function_logs(out / "logs.jsonl")
    s3 = emu.client("s3")
    keys = [k for k in report_keys if k]
    if rentan:
        version = s3.put_object(Bucket=bucket, Key=RENEWAL_KEY, Body=renewal_list(rentan))["VersionId"]
        result = emu.notify_s3("UploadBucket", RENEWAL_KEY, version)
        if result["ok"]:
            keys.append(result["result"]["files"][0]["report_key"])
    pages = [_download(emu, bucket, key.removesuffix(".json") + ".html", out / Path(key).name.replace(".json", ".html"))
             for key in keys]
    event = json.loads(REKAP_EVENT.read_text(encoding="utf-8")) | {"time": f"{day.isoformat()}T03:00:00Z"}
    rekap = emu.invoke("RekapFunction", event)
    rekap_page = _download(emu, bucket, rekap["page_key"], out / f"rekap-{day.isoformat()}.html")
    workbook = _download(emu, bucket, rekap["workbook_key"], out / f"rekap-{day.isoformat()}.xlsx")
    shots = _screenshots([*pages, rekap_page], out / "screenshots")
    return {"pages": [str(p) for p in pages], "rekap_page": str(rekap_page), "rekap_workbook": str(workbook),
            "screenshots": [str(s) for s in shots], "rekap": rekap}


def print_pages(result: dict[str, Any]) -> None:
    def shown(path: str) -> str:
        return str(Path(path).relative_to(ROOT)) if Path(path).is_relative_to(ROOT) else path

    print("Pages for staff (in the bucket under reports/; local copies, open them in a browser):")
    for path in [*result["pages"], result["rekap_page"], result["rekap_workbook"]]:
        print(f"   {shown(path)}")
    if result["screenshots"]:
        print(f"Screenshots (phone and laptop): {shown(str(Path(result['screenshots'][0]).parent))}/")
    rekap = result["rekap"]
    print(f"Rekap {rekap['today']}: {rekap['workers']} workers; {rekap['renewed']} of {rekap['ended']} ended covers "
          f"renewed; {rekap['listed_twice']} listed twice, {rekap['no_sms']} covered without an SMS number")
