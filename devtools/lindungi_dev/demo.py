"""The main job, locally: the whole Lindungi pipeline on an embedded AWS emulator.

    make demo                      # 7,737 + 767 workers, then the reminder days
    make demo ARGS="--keep-running"  # leave the emulator and the staff portal up (a person can sign in)
    make demo ARGS="--rentan 60 --sawit 10 --no-reminders --keep-running"  # the same in seconds

Steps: start moto's server on 127.0.0.1 and create the bucket, tables and
queues from template.yaml; generate realistic lists for both programs (with
the faults offices make); upload them under incoming/<program>/; deliver the
S3 events to the ingest function as AWS would; read the reports back; then
travel in time to each reminder day and run the planner and the SMS sender;
last, serve the staff portal with one account per role (``demo_portal``) and
print its address and first passwords.
The planner runs on the days the schedule plans something (from the covers'
own ends and the stage windows) and the day after each; on the other days of
the windows it would read and plan nothing.

Function logs (JSON, as CloudWatch would get them) go to .local/demo/logs.jsonl;
the terminal shows progress and the summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from lindungi.config import programs
from lindungi.outcomes import Reject, Warn, message

from . import demo_portal, samples
from .emulator.server import Emulator
from .emulator.template import ROOT

OUT = ROOT / ".local" / "demo"


@dataclass(frozen=True)
class Upload:
    program: str
    key: str
    data: bytes
    workers: int


def make_lists(rentan: int, sawit: int) -> list[Upload]:
    """The city's two lists: vulnerable workers as an office workbook, palm-oil workers as a PDF (or CSV)."""
    people, _ = samples.plant_faults(samples.workers(rentan, "pekerja-rentan", seed=1))
    uploads = [Upload("pekerja-rentan", "incoming/pekerja-rentan/Daftar Pekerja Rentan APBD 2025 (final).xlsx",
                      samples.write_xlsx(people, "pekerja-rentan", nik_as_number=2), rentan)]
    palm, _ = samples.plant_faults(samples.workers(sawit, "pekerja-sawit", seed=2, start_serial=50_000), every=53)
    try:
        from .samples.pdf import write_ruled

        uploads.append(Upload("pekerja-sawit", "incoming/pekerja-sawit/Daftar BPU Sawit 2025.pdf",
                              write_ruled(palm, "pekerja-sawit"), sawit))
    except (ImportError, AttributeError):
        uploads.append(Upload("pekerja-sawit", "incoming/pekerja-sawit/Daftar BPU Sawit 2025.csv",
                              samples.write_csv(palm), sawit))
    return [u for u in uploads if u.workers > 0]


def _ends(reports: list[dict[str, Any]]) -> Counter[tuple[str, date]]:
    """Accepted covers by (program, end date)."""
    return Counter((row["program"], date.fromisoformat(row["coverage_end"]))
                   for report in reports for row in report.get("accepted", []))


def reminder_days(reports: list[dict[str, Any]]) -> list[date]:
    """Every day on which some accepted worker's reminder window is open: the planner runs daily, and the
    look-ahead and the carrier retries use the days between the stages' own days."""
    from lindungi.reminders.planner import stages_of

    config = programs()
    return sorted({end - timedelta(days=d) for program, end in _ends(reports)
                   for d in range(stages_of(config, program).horizon + 1)})


def planning(reports: list[dict[str, Any]], ceiling: int) -> dict[date, int]:
    """The days the schedule plans on, and how many notices, from the covers' own ends and the stage windows
    (``schedule.planning_days``): the demo runs the planner on those days and the days after them."""
    from lindungi.reminders.planner import stages_of
    from lindungi.reminders.schedule import planning_days

    config = programs()
    return planning_days(_ends(reports), {p: stages_of(config, p) for p in config.by_id}, ceiling,
                         config.reminders.missed_runs_tolerated)


@contextlib.contextmanager
def function_logs(path: Path) -> Iterator[TextIO]:
    """Send what the functions print (JSON logs, EMF metrics) to a file, as CloudWatch would keep it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as stream, contextlib.redirect_stdout(stream):
        yield stream


def _progress(total: int, desc: str, unit: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=True)


class Eta:
    """Time left for the reminder days, from the rates measured so far: a day costs a fixed part (the planner's
    reads, the summary of the receipts) plus a part per SMS (plan, queue, send, receipt); the days to come
    are weighed by the SMS the schedule plans on them."""

    def __init__(self) -> None:
        self.quiet: list[float] = []
        """Seconds of each day that sent nothing."""
        self.busy: list[tuple[float, int]] = []
        """(seconds, SMS) of each day that sent some."""

    def add(self, seconds: float, sms: int) -> None:
        if sms:
            self.busy.append((seconds, sms))
        else:
            self.quiet.append(seconds)

    def seconds(self, days: int, sms: int) -> float | None:
        """Expected seconds for ``days`` more days sending ``sms`` SMS in all; None before a day has sent any."""
        if not self.busy:
            return None
        per_day = sorted(self.quiet)[len(self.quiet) // 2] if self.quiet else 0.0
        per_sms = max(0.0, sum(s for s, _ in self.busy) - per_day * len(self.busy)) / sum(n for _, n in self.busy)
        return days * per_day + sms * per_sms


def run(rentan: int = 7737, sawit: int = 767, reminders: bool = True, keep_running: bool = False,
        out: Path = OUT, quiet: bool = False, max_sms_per_run: int | None = None) -> dict[str, Any]:
    """The whole pipeline; returns the figures it printed (the end-to-end test reads them).

    ``max_sms_per_run``: the planner's ceiling; by default the template's own (``MaxSmsPerRun``), so every
    due reminder of the sample goes out."""
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "logs.jsonl"
    log_path.unlink(missing_ok=True)
    started = time.perf_counter()
    emu = Emulator(parameters={"MaxSmsPerRun": str(max_sms_per_run)} if max_sms_per_run else None)
    summary: dict[str, Any] = {"endpoint": emu.endpoint, "logs": str(log_path)}
    try:
        s3 = emu.client("s3")
        bucket = emu.stack.physical("UploadBucket")
        summary["bucket"] = bucket
        uploads = make_lists(rentan, sawit)
        reports: list[dict[str, Any]] = []
        bar = None if quiet else _progress(sum(u.workers for u in uploads), "lists: upload, parse, store, report",
                                           "row")
        with function_logs(log_path):
            for upload in uploads:
                version = s3.put_object(Bucket=bucket, Key=upload.key, Body=upload.data)["VersionId"]
                result = emu.notify_s3("UploadBucket", upload.key, version)
                file = result["result"]["files"][0] if result["ok"] else {"error": result["error"]}
                report_key = file.get("report_key")
                report = json.loads(s3.get_object(Bucket=bucket, Key=report_key)["Body"].read()) if report_key else {}
                reports.append(report | {"report_key": report_key, "key": upload.key, "invocation": result})
                if bar:
                    bar.update(upload.workers)
        if bar:
            bar.close()
        summary["files"] = [_file_summary(r) for r in reports]
        for report in reports:
            name = Path(report["key"]).name
            (out / f"{name}.report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
        days = reminder_days(reports) if reminders else []
        if reminders:
            _staff_opt_outs(emu, reports)
            _sns_opt_outs(emu, reports)
            summary["reminders"] = _reminders(emu, reports, days, log_path, quiet)
            summary["reminders"]["max_sms_per_run"] = int(emu.stack.parameter("MaxSmsPerRun"))
        summary["seconds"] = round(time.perf_counter() - started, 1)
        if not quiet:
            print_summary(summary)
        summary["pages"] = _staff_pages(emu, bucket, reports, rentan, out, quiet, days)
        portal = demo_portal.start(emu)
        if portal:
            summary["portal"] = {"url": portal.url, "accounts": [(g, u) for g, u, _ in portal.accounts]}
            if not quiet:
                demo_portal.print_portal(portal, keep_running)
        if keep_running:
            _wait(emu, bucket, log_path)
    finally:
        emu.stop()
    return summary


def _file_summary(report: dict[str, Any]) -> dict[str, Any]:
    counts = report.get("summary", {})
    return {
        "key": report["key"],
        "program": report.get("program"),
        "error": (report.get("error") or {}).get("code"),
        "rows_read": report.get("rows_read", 0),
        "accepted": counts.get("accepted", 0),
        "rejected": counts.get("rejected", 0),
        "rejected_by_reason": counts.get("rejected_by_reason", {}),
        "warnings_by_code": counts.get("warnings_by_code", {}),
        "sms_capable": counts.get("sms_capable", 0),
        "report_key": report.get("report_key"),
    }


def _staff_opt_outs(emu: Emulator, reports: list[dict[str, Any]], count: int = 3) -> None:
    """A few workers who asked at the branch not to be texted: their notices end "opted_out"."""
    from lindungi.ops.optout import add_opt_out

    phones = [row["phone"] for report in reports for row in report.get("accepted", []) if row.get("phone")]
    for phone in phones[:: max(1, len(phones) // count)][:count]:
        add_opt_out(emu.client("dynamodb"), emu.stack.physical("NoticesTable"), phone,
                    reason="minta berhenti di kantor cabang")


def _sns_opt_outs(emu: Emulator, reports: list[dict[str, Any]]) -> None:
    """Numbers ending in 99 stand for workers who opted out at SNS (moto's opt-out list, set as AWS keeps it)."""
    from moto.sns.models import sns_backends

    from .emulator.template import ACCOUNT

    backend = sns_backends[ACCOUNT][emu.stack.region]
    backend.opt_out_numbers += [row["phone"] for report in reports for row in report.get("accepted", [])
                                if str(row.get("phone") or "").endswith("99")]


def _due(reports: list[dict[str, Any]]) -> Counter[str]:
    """Reminders owed per stage: every accepted cover owes each stage of its program."""
    due: Counter[str] = Counter()
    for report in reports:
        for row in report.get("accepted", []):
            due.update(str(d) for d in programs().by_id[row["program"]].reminder_days)
    return due


class DaysProgress:
    """The reminder days' bar: SMS sent (moto counts each SMS it is asked to publish; read every second, so a
    day of thousands moves too) of about as many as the schedule plans notices, day n of N, the time left (``Eta``)."""

    def __init__(self, todo: list[date], expected: dict[date, int], sent: Callable[[], int]) -> None:
        from tqdm import tqdm

        self.days, self.done, self.expected, self.sent = len(todo), 0, expected, sent
        self.eta, self.started, self.current = Eta(), time.perf_counter(), "-"
        self.first = sent()
        self.day_first = self.first
        self.bar = tqdm(total=sum(expected.values()), desc="reminder days: plan, queue, send SMS, receipts",
                        unit="SMS", file=sys.stderr, dynamic_ncols=True, leave=True,
                        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/~{total_fmt} SMS{postfix}")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="demo-progress", daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.wait(1.0):
            self.show()

    def show(self) -> None:
        sent = self.sent() - self.first
        self.bar.total = max(self.bar.total, sent)
        self.bar.n = sent
        today = sent - (self.day_first - self.first)
        left = self.eta.seconds(self.days - self.done, max(0, self.bar.total - sent))
        if left is None and today:  # before the first day ends: the rate of its SMS so far
            left = (time.perf_counter() - self.started) / today * max(0, self.bar.total - sent)
        last = f" (last {self.current})" if self.done else ""
        # The bar's own clock would be the travelled one (time-machine): elapsed and ETA are counted here.
        self.bar.set_postfix_str(f"{_clock(time.perf_counter() - self.started)}, day {min(self.done + 1, self.days)}"
                                 f"/{self.days}{last}, ETA {'?' if left is None else _clock(left)}", refresh=False)
        self.bar.refresh()

    def day_done(self, day: str, seconds: float, messages: int, more_days: int) -> None:
        self.current = day
        self.eta.add(seconds, messages)
        self.done += 1
        self.days = max(self.days, self.done + more_days)  # a run that left work behind adds the next day
        self.day_first = self.sent()
        self.show()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.bar.total = self.sent() - self.first  # the estimate counted notices; some send no SMS, retries two
        self.show()
        self.bar.close()


def _reminders(emu: Emulator, reports: list[dict[str, Any]], days: list[date], log_path: Path,
               quiet: bool) -> dict[str, Any]:
    from . import reminders_local

    expected = planning(reports, int(emu.stack.parameter("MaxSmsPerRun")))
    todo = reminders_local.planner_days(days, expected)
    region = emu.stack.region
    progress = None if quiet else DaysProgress(todo, expected, lambda: len(reminders_local.published_sms(region)))
    last = [time.perf_counter()]

    def on_day(day: dict[str, Any]) -> None:
        now = time.perf_counter()
        if progress:
            ahead = [d for d in todo if d.isoformat() > day["day"]]
            progress.day_done(day["day"], now - last[0], day["messages"], len(ahead))
        last[0] = now

    try:
        with function_logs(log_path):
            result: dict[str, Any] = reminders_local.run_reminders(emu, days, on_day=on_day, due=_due(reports),
                                                                   planning=expected)
    finally:
        if progress:
            progress.close()
    result["days"] = [d.isoformat() for d in days]
    result["planner_days"] = [d["day"] for d in result["per_day"]]
    return result


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def print_summary(summary: dict[str, Any]) -> None:
    line = "-" * 78
    print(line)
    print(f"Lindungi local pipeline - emulator at {summary['endpoint']}, bucket {summary['bucket']}")
    print(line)
    total = Counter[str]()
    for f in summary["files"]:
        print(f"{f['key']}")
        if f["error"]:
            print(f"   FILE ERROR {f['error']}: {message_for(f['error'])}")
            continue
        print(f"   rows read {f['rows_read']:>6}   accepted {f['accepted']:>6}   rejected {f['rejected']:>4}"
              f"   reachable by SMS {f['sms_capable']:>6}")
        for code, n in sorted(f["rejected_by_reason"].items(), key=lambda kv: -kv[1]):
            print(f"      rejected  {code:<22} {n:>5}")
        for code, n in sorted(f["warnings_by_code"].items(), key=lambda kv: -kv[1]):
            print(f"      warning   {code:<22} {n:>5}")
        print(f"   report: s3://{summary['bucket']}/{f['report_key']}  (+ .perbaikan.xlsx for staff)")
        total.update({"rows_read": f["rows_read"], "accepted": f["accepted"], "rejected": f["rejected"]})
    print(f"All lists: {total['rows_read']} rows read, {total['accepted']} workers covered, "
          f"{total['rejected']} rows rejected. Local copies in {OUT.relative_to(ROOT)}/")
    reminders = summary.get("reminders")
    if reminders:
        print(line)
        if reminders.get("status"):
            print(f"Reminders: {reminders['status']}")
        else:
            days = reminders.get("days", [])
            span = f"{days[0]} .. {days[-1]}" if days else "-"
            print(f"Reminders over {len(days)} simulated days ({span}), at most {reminders['max_sms_per_run']} a run;"
                  f" the planner ran on the {len(reminders.get('planner_days', days))} days it had work:")
            _print_stages(reminders.get("by_stage") or {})
            print("   The emulated carrier (lindungi_dev.emulator.carrier): a number ending 0 does not exist, 88\n"
                  "   fails for an unknown reason, 09 is always off, any other 9 is off the first day it is texted.")
            capped = sum(1 for d in reminders.get("per_day", []) if d.get("ceiling_reached"))
            if capped:
                print(f"   The planner used its whole ceiling on {capped} of {len(days)} days; what did not fit went "
                      "earlier\n   (look-ahead) or on the next runs, earliest deadline first.")
            for text in (reminders.get("sample_texts") or [])[:3]:
                print(f"   SMS: {text}")
    print(line)
    print(f"Done in {summary['seconds']} s. Function logs: {Path(summary['logs']).relative_to(ROOT)}")


def _print_stages(stages: dict[str, dict[str, int]]) -> None:
    columns = ["due", "sent", "delivered", "undelivered", "dead_number", "opted_out", "no_phone", "expired", "other"]
    print("   stage" + "".join(f"{c.replace('_', ' '):>12}" for c in columns))
    for stage, row in stages.items():
        print(f"   {stage + ' d':<5}" + "".join(f"{row.get(c, 0):>12}" for c in columns))
    print("   (sent: every SMS handed to SNS, delivered or undelivered by the carrier's receipts; dead number: not")
    print("   sent, that number failed permanently on an earlier stage; other: superseded, failed, unsettled.")
    print("   due = sent + dead number + opted out + no phone + expired + other)")


def message_for(code: str) -> str:
    for enum in (Reject, Warn):
        with contextlib.suppress(ValueError):
            return message(enum(code))
    from lindungi.outcomes import FileError

    return message(FileError(code))


def _wait(emu: Emulator, bucket: str, log_path: Path) -> None:
    print(f"\nThe emulator keeps running at {emu.endpoint} (DynamoDB at {emu.dynamodb_endpoint}). Look inside, e.g.:")
    print(f"  aws --endpoint-url {emu.endpoint} s3 ls s3://{bucket}/ --recursive")
    print(f"  aws --endpoint-url {emu.dynamodb_endpoint} dynamodb scan"
          f" --table-name {emu.stack.physical('WorkersTable')} --max-items 3")
    print("  (credentials: AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing, region ap-southeast-3)")
    print(f"Press Ctrl-C to stop. The functions' logs (the portal's too) go to {log_path.relative_to(ROOT)}.")
    with contextlib.suppress(KeyboardInterrupt), function_logs(log_path):
        while True:
            time.sleep(3600)


def _staff_pages(emu: Emulator, bucket: str, reports: list[dict[str, Any]], rentan: int, out: Path,
                 quiet: bool, days: list[date]) -> dict[str, Any]:
    """Last: the self-payers' list, every report page and the rekap (of the day after the reminder days, when
    they ran: the table then holds every reminder), copied to ``out`` with screenshots."""
    from .demo_pages import print_pages, rekap_day, staff_pages

    with function_logs(out / "logs.jsonl"):
        result = staff_pages(emu, bucket, [r.get("report_key") or "" for r in reports], rentan, out,
                             rekap_day(days))
    if not quiet:
        print_pages(result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rentan", type=int, default=7737, help="vulnerable workers in the sample list")
    parser.add_argument("--sawit", type=int, default=767, help="palm-oil workers in the sample list")
    parser.add_argument("--no-reminders", action="store_true", help="stop after ingestion")
    parser.add_argument("--keep-running", action="store_true",
                        help="leave the emulator and the staff portal up afterwards")
    parser.add_argument("--max-sms-per-run", type=int, default=None,
                        help="the planner's ceiling per daily run (default: the template's MaxSmsPerRun)")
    args = parser.parse_args(argv)
    # Powertools warns when an invocation flushes no metric of its own (a sender batch of duplicates): that
    # is noise on this terminal, as in the tests (pyproject.toml), and stays visible in Lambda's logs.
    warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
    summary = run(args.rentan, args.sawit, reminders=not args.no_reminders, keep_running=args.keep_running,
                  max_sms_per_run=args.max_sms_per_run)
    failed = [f for f in summary["files"] if f["error"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())


