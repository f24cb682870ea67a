"""The whole local pipeline's logs hold no NIK, phone number or name in clear, and its AWS calls are all granted.

The demo runs every function of template.yaml on the emulator (upload, ingest, report, plan, send). Every
line the functions write (JSON logs and EMF metrics, .local/demo/logs.jsonl as CloudWatch would hold it)
and everything the process wrote on stdout/stderr while the pipeline ran (captured by the session fixture
itself, at the file descriptors too, with log records and warnings: see ``conftest.process_output``) is
searched for the sample's NIKs, phones (every spelling) and names; a test plants a NIK on each of those ways
out and checks the same search finds it. Meanwhile every AWS call the functions make is recorded and checked
against their IAM grants, and the EMF dimensions of the metrics the alarms watch are compared with the
alarms' own.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lindungi_dev import demo
from lindungi_dev.emulator.template import load_template
from lindungi_dev.grants import missing_grants
from tests.builders import RENTAN, SAWIT, process_output

pytestmark = pytest.mark.e2e

def _sample_people() -> list[Any]:
    """Everyone in the demo's lists, with the phone and NIK as typed (before any normalising)."""
    return [p for upload in demo.make_lists(RENTAN, SAWIT) for p in _people_of(upload)]


def _people_of(upload: Any) -> list[Any]:
    from lindungi_dev import samples

    if upload.program == "pekerja-rentan":
        return samples.plant_faults(samples.workers(RENTAN, "pekerja-rentan", seed=1))[0]
    return samples.plant_faults(samples.workers(SAWIT, "pekerja-sawit", seed=2, start_serial=50_000), every=53)[0]


def _phone_spellings(e164: str) -> set[str]:
    national = e164.removeprefix("+62")
    return {e164, "62" + national, "0" + national}


def _digits_only_spellings(text: str) -> set[str]:
    return {re.sub(r"\D", "", part) for part in re.split(r"[/,;]", text) if len(re.sub(r"\D", "", part)) >= 9}


def test_the_pipeline_ran_every_function(pipeline: dict[str, Any]) -> None:
    functions = {c.function for c in pipeline["recorder"].calls}
    assert functions == {"IngestFunction", "PlannerFunction", "SenderFunction", "ReceiptsFunction", "RekapFunction"}
    assert pipeline["summary"]["reminders"]["sent"] > 0
    assert '"level":"INFO"' in pipeline["logs"].replace(" ", "")
    logged = {json.loads(line).get("service") for line in pipeline["logs"].splitlines() if '"level"' in line}
    assert logged >= {"ingest", "planner", "sender"}  # every function's Logger lines reached the log file


@dataclass(frozen=True)
class Personal:
    """What must never be seen in clear: NIKs, phones (E.164) and their typed digits, names."""

    niks: set[str]
    phones: set[str]
    typed_phones: set[str]
    names: set[str]

    def leaks(self, text: str) -> list[str]:
        squeezed = re.sub(r"[\s.-]", "", text)  # "6172 0145 ...", "0812-3456-7890", "62 812.3456.7890"
        found = sorted(n for n in self.niks if n in squeezed)
        found += sorted(s for e164 in self.phones for s in _phone_spellings(e164) if s in squeezed)
        found += sorted(d for d in self.typed_phones if d in squeezed)
        found += sorted(n for n in self.names if n in text)
        # And nothing that merely looks like a NIK: a bare 16-digit number anywhere.
        return found + re.findall(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])", text)


def _personal(reports: list[dict[str, Any]]) -> Personal:
    """Ground truth: what the reports hold (normalised) and what was typed into the lists."""
    rows = [row for r in reports for row in r["accepted"] + r["rejected"]]
    accepted = [row for r in reports for row in r["accepted"]]
    people = _sample_people()
    return Personal(
        niks={row["nik"] for row in rows if len(row.get("nik") or "") == 16} | {p.nik for p in people
                                                                                if len(p.nik) == 16},
        phones={row["phone"] for row in accepted if row.get("phone")},
        typed_phones={d for p in people for d in _digits_only_spellings(p.phone)},
        names={row["name"] for row in accepted if len(row.get("name", "")) > 5},
    )


def test_no_nik_phone_or_name_of_the_sample_in_clear(pipeline: dict[str, Any]) -> None:
    personal = _personal(pipeline["reports"])
    assert len(personal.niks) > RENTAN and len(personal.phones) > RENTAN // 2 and personal.names
    for where in ("logs", "output"):
        leaks = personal.leaks(pipeline[where])
        assert leaks == [], f"{len(leaks)} personal values in clear in the pipeline's {where}, e.g. {leaks[:3]}"


def test_the_search_finds_a_nik_on_every_way_out(tmp_path: Path) -> None:
    """The check above can fail: a NIK written any way the process can write is captured, and found."""
    nik, name = "6172014509850003", "SITI AMINAH BINTI"
    personal = Personal(niks={nik}, phones={"+6281234567890"}, typed_phones={"081311112222"}, names={name})
    ways: dict[str, Callable[[str], None]] = {
        "print": print,
        "sys.stderr": lambda s: print(s, file=sys.stderr),
        "fd 1": lambda s: os.write(1, f"{s}\n".encode()),
        "fd 2": lambda s: os.write(2, f"{s}\n".encode()),
        "child process": lambda s: subprocess.run([sys.executable, "-c", f"print('{s}')"], check=True),
        "logging": lambda s: logging.getLogger("botocore.somewhere").warning("row %s", s),
        "warnings": lambda s: warnings.warn(f"odd row {s}", UserWarning, stacklevel=1),
    }
    for way, write in ways.items():
        output = tmp_path / f"{way}.txt"
        with process_output(output):
            write(f"NIK {nik}")
        assert personal.leaks(output.read_text(encoding="utf-8")) == [nik, nik], way  # as a NIK, as 16 digits
    assert personal.leaks(f"Yth. {name}, 0812-3456-7890 / 62 812.3456.7890, nik 6172 0145 0985 0003") == [
        nik, "081234567890", "6281234567890", name]
    assert personal.leaks("istri 0813-1111-2222") == ["081311112222"]
    assert personal.leaks("nik 6172********0003 hp +62812****7890") == []  # masked is fine


def test_upload_names_are_logged_only_as_masked_keys(pipeline: dict[str, Any]) -> None:
    """Staff name files after people; the functions' logs carry ``mask_key`` of each key, never the name."""
    from lindungi.logs import mask_key

    text = pipeline["logs"] + pipeline["output"]
    # The emulator points the Logger at each invocation's stdout, so its lines are in the demo's log file
    # even when an earlier test of this process set the Logger up.
    ingest_lines = [line for line in pipeline["logs"].splitlines() if '"correlation_id":"incoming/' in line]
    for upload in demo.make_lists(RENTAN, SAWIT):
        name = upload.key.rsplit("/", 1)[1]
        assert name not in text, name
        assert any(mask_key(upload.key) in line for line in ingest_lines), mask_key(upload.key)


def test_every_aws_call_of_every_function_is_granted(pipeline: dict[str, Any]) -> None:
    recorder = pipeline["recorder"]
    assert missing_grants(recorder.stack, recorder.calls) == []


def _emf(logs: str) -> list[dict[str, Any]]:
    blobs = []
    for line in logs.splitlines():
        if '"_aws"' in line:
            blobs.append(json.loads(line))
    return blobs


def test_alarmed_metrics_are_emitted_with_the_alarms_dimensions(pipeline: dict[str, Any]) -> None:
    emitted: dict[str, set[tuple[str, ...]]] = {}
    for blob in _emf(pipeline["logs"]):
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            dims = tuple(sorted(d for group in directive["Dimensions"] for d in group))
            for metric in directive["Metrics"]:
                emitted.setdefault(metric["Name"], set()).add(dims)
    template = load_template()
    checked = 0
    for logical, resource in template["Resources"].items():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        for query in resource["Properties"].get("Metrics", []):
            metric = query.get("MetricStat", {}).get("Metric", {})
            if metric.get("Namespace") != "Lindungi" or metric["MetricName"] not in emitted:
                continue
            expected = tuple(sorted(d["Name"] for d in metric.get("Dimensions", [])))
            # Emitted with the alarm's dimensions (it may also be emitted per program, for the dashboard).
            assert expected in emitted[metric["MetricName"]], (logical, emitted[metric["MetricName"]])
            checked += 1
    assert checked >= 1, "the SMS failure-ratio alarm's NoticeSent was never emitted"
