"""What the benchmarks share: the cached sample lists, timing and peak memory, PDF page and worker counts,
and the tables they print."""

from __future__ import annotations

import io
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lindungi_dev import samples

if TYPE_CHECKING:
    from lindungi.reminders.planner import Planner, PlanReport
    from lindungi.reminders.sender import Sender

PROGRAM = "pekerja-rentan"
CACHE = Path(__file__).resolve().parents[3] / ".local" / "bench"


def sample_list(size: int, kind: str) -> Path:
    """The sample list of ``size`` workers (planted faults included), written once and cached."""
    path = CACHE / f"workers-{size}.{kind}"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        people, _ = samples.plant_faults(samples.workers(size, PROGRAM))
        writer: dict[str, Callable[[], bytes]] = {
            "xlsx": lambda: samples.write_xlsx(people, PROGRAM),
            "xls": lambda: samples.write_xls(people),
            "csv": lambda: samples.write_csv(people),
        }
        path.with_suffix(".tmp").write_bytes(writer[kind]())
        path.with_suffix(".tmp").rename(path)
    return path


# ------------------------------------------------------------------------------------- measuring


def peak_mb() -> float:
    """This process's peak resident memory. On Linux ``ru_maxrss`` survives ``exec`` (a fresh interpreter
    would report its parent's peak), so the kernel's per-image high-water mark ``VmHWM`` is read instead."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def pdf_pages(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def pdf_workers() -> int:
    """The worker processes the PDF reader uses on this machine."""
    from lindungi.intake.readers.pdf.workers import worker_count

    return worker_count()


# -------------------------------------------------------------------------------------- printing


def verdict(ok: bool) -> str:
    return "PASS" if ok else "GAP"


def print_table(title: str, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(head)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.rjust(w) if c[:1].isdigit() else c.ljust(w) for c, w in zip(row, widths, strict=True)))


def print_records(title: str, records: Sequence[dict[str, Any]]) -> None:
    """Records (dicts) as a table, one column per key any of them has."""
    if not records:
        print(f"\n{title}\n(no figures)")
        return
    head = list(dict.fromkeys(k for r in records for k in r))
    print_table(title, head, [[fmt(r.get(k, "")) for k in head] for r in records])


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def pdf_table(results: Sequence[dict[str, Any]]) -> str:
    """The PDF figures (``pdf.run``, ``office.run``): speed beside the baseline, then memory."""
    lines = [
        f"{'layout':<10} {'rows':>6} {'pages':>5} {'runs':>4} {'ours s':>7} {'1-proc s':>8} {'baseline s':>10} "
        f"{'ratio':>6}  NIKs exact",
    ] if any(r["case"] == "speed" for r in results) else []
    for r in results:
        if r["case"] == "speed":
            lines.append(
                f"{r['layout']:<10} {r['rows']:>6} {r['pages']:>5} {r['runs']:>4} {r['ours_s']:>7.2f} "
                f"{r['ours_one_process_s']:>8.2f} {r['baseline_s']:>10.2f} {r['ratio']:>5.2f}x  "
                f"{'yes' if r['niks_exact'] else 'NO'}"
            )
    lines += ["", f"{'memory':<18} {'pages':>5} {'rows':>6} {'parent MB':>9} {'worker MB':>9} {'total MB':>8}  "
              "NIKs exact"]
    for r in results:
        if r["case"] == "memory":
            exact = "-" if r["niks_exact"] is None else "yes" if r["niks_exact"] else "NO"
            lines.append(
                f"{r['layout'] + ' ' + r['mode']:<18} {r['pages']:>5} {r['rows']:>6} {r['parent_mb']:>9.1f} "
                f"{r['worker_mb']:>9.1f} {r['total_mb']:>8.1f}  {exact if not r['error'] else r['error']}"
            )
    lines.append("")
    lines.append(
        "ours = lindungi.intake.check.check end to end (read, headers, validation); baseline = default "
        "page.extract_tables() on every page, extraction only.\nmemory: check = the whole report (it keeps "
        "every accepted row); reader = rows streamed and dropped. total MB = parent + workers x worker peak "
        "(an upper bound: forked workers share pages with the parent)."
    )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------- the moto loop
# The planner and the sender in the benchmark's own loop on in-process moto (bench.reminders, bench.year).
# Imported lazily: a ``--child`` measurement must not carry moto or boto3 in its memory.


class Calls(Counter[str]):
    """AWS requests by ``service.Operation``, counted on the clients ``hook`` is given."""

    def hook(self, client: Any) -> Any:
        client.meta.events.register("before-call", lambda model, **_: self.update(
            [f"{model.service_model.service_name}.{model.name}"]))
        return client


@contextmanager
def stack() -> Iterator[tuple[Any, Any]]:
    """In-process moto with every resource of template.yaml: (boto3 session, ``Stack``)."""
    import boto3
    from moto import mock_aws

    from lindungi_dev.emulator.lambdas import environment
    from lindungi_dev.emulator.provision import provision
    from lindungi_dev.emulator.template import REGION

    # In-process moto: no endpoint of a running emulator may redirect these clients.
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": None}
    with environment(env), mock_aws():
        session = boto3.Session(region_name=REGION)
        yield session, provision(session)


@dataclass
class ReminderLoop:
    """The real planner and sender on clients ``Calls`` counts, in the benchmark's own loop (``reminder_loop``)."""

    planner: Planner
    sender: Sender
    sqs: Any
    queue: str
    day: date = date.min
    """The day the sender acts on, also while the planner is queueing."""

    def run(self, day: date) -> PlanReport:
        """The planner at 09:00 WIB on ``day``, the sender draining each batch as it is queued, then the rest."""
        from lindungi.config import programs
        from lindungi.reminders.planner import run_time

        self.day = day
        report = self.planner.run(run_time(day, programs()))
        drain(self.sqs, self.queue, self.sender, day)
        return report


def reminder_loop(session: Any, st: Any, calls: Calls, max_per_run: int | None = None) -> ReminderLoop:
    """Planner and sender with the settings of the template's functions (the ceiling ``max_per_run`` if given),
    every client of theirs counted by ``calls``. The sender drains the queue after each ``SendMessageBatch``
    of the planner, as the event source mapping polls meanwhile (moto's SQS receive walks the whole queue: a
    queue left to fill up costs the square of its depth)."""
    from lindungi.config import programs
    from lindungi.reminders.planner import Planner
    from lindungi.reminders.sender import Sender
    from lindungi.settings import PlannerSettings, SenderSettings

    settings = PlannerSettings.from_env(st.function_env("PlannerFunction"))
    settings = replace(settings, max_per_run=max_per_run or settings.max_per_run)
    planner_sqs = calls.hook(session.client("sqs"))
    planner = Planner(calls.hook(session.client("dynamodb")), planner_sqs, calls.hook(session.client("kms")),
                      settings, programs())
    sender = Sender(calls.hook(session.client("dynamodb")), calls.hook(session.client("sns")),
                    calls.hook(session.client("sqs")), calls.hook(session.client("kms")),
                    SenderSettings.from_env(st.function_env("SenderFunction")), programs())
    loop = ReminderLoop(planner, sender, session.client("sqs"), st.physical("ReminderQueue"))
    planner_sqs.meta.events.register("after-call.sqs.SendMessageBatch",
                                     lambda **_: drain(loop.sqs, loop.queue, sender, loop.day))
    return loop


def drain(sqs: Any, url: str, sender: Any, day: date) -> None:
    """Each batch on the queue through the sender as its function runs it (``SenderBatch``); a message it
    reports failed is left on the queue (with no clock running here, the next day retries it)."""
    from aws_lambda_powertools.utilities.batch import process_partial_response

    from lindungi.config import programs
    from lindungi.reminders.planner import run_time
    from lindungi.reminders.sender import SenderBatch

    now = run_time(day, programs(), 9)
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                              "attributes": {"ApproximateReceiveCount": "1"}, "eventSource": "aws:sqs"}
                             for m in messages]}
        batch = SenderBatch(sender, now)
        response = process_partial_response(event=event, record_handler=batch.handle_record, processor=batch)
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def read_notices(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    """Every notice of the notices table (a scan), deserialised."""
    from lindungi.dynamo import deserialize

    return [deserialize(i) for page in dynamodb.get_paginator("scan").paginate(TableName=table)
            for i in page["Items"] if i["pk"]["S"].startswith("NOTICE#")]
