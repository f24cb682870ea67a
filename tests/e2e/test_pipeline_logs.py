"""The whole local pipeline's logs hold no NIK, phone number or name in clear, and its AWS calls are all granted.

The demo runs every function of template.yaml on the emulator (upload, ingest, report, plan, send). Every
line the functions write (JSON logs and EMF metrics, .local/demo/logs.jsonl as CloudWatch would hold it)
and everything on this process's stdout/stderr is searched for the sample's NIKs, phones (every spelling)
and names. Meanwhile every AWS call the functions make is recorded and checked against their IAM grants,
and the EMF dimensions of the metrics the alarms watch are compared with the alarms' own.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from lindungi_dev import demo
from lindungi_dev.emulator import load_template
from lindungi_dev.grants import missing_grants
from tests.e2e.conftest import RENTAN, SAWIT

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


def test_no_nik_phone_or_name_of_the_sample_in_clear(
    pipeline: dict[str, Any], capfd: pytest.CaptureFixture[str]
) -> None:
    captured = capfd.readouterr()
    text = pipeline["logs"] + captured.out + captured.err
    # Ground truth: what the reports hold (normalised) and what was typed into the lists.
    rows = [row for r in pipeline["reports"] for row in r["accepted"] + r["rejected"]]
    niks = {row["nik"] for row in rows if len(row.get("nik") or "") == 16}
    phones = {row["phone"] for r in pipeline["reports"] for row in r["accepted"] if row.get("phone")}
    names = {row["name"] for r in pipeline["reports"] for row in r["accepted"] if len(row.get("name", "")) > 5}
    people = _sample_people()
    niks |= {p.nik for p in people if len(p.nik) == 16}
    typed = {d for p in people for d in _digits_only_spellings(p.phone)}
    assert len(niks) > RENTAN and len(phones) > RENTAN // 2 and names

    leaks = sorted(n for n in niks if n in text)
    leaks += sorted(s for e164 in phones for s in _phone_spellings(e164) if s in text)
    leaks += sorted(d for d in typed if d in re.sub(r"[\s-]", "", text))
    leaks += sorted(n for n in names if n in text)
    assert leaks == [], f"{len(leaks)} personal values in clear in the pipeline's logs, e.g. {leaks[:3]}"
    # And nothing that merely looks like one: a bare 16-digit number anywhere.
    assert re.findall(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])", text) == []


def test_upload_names_are_logged_only_as_masked_keys(
    pipeline: dict[str, Any], capfd: pytest.CaptureFixture[str]
) -> None:
    """Staff name files after people; the functions' logs carry ``mask_key`` of each key, never the name."""
    from lindungi.logs import mask_key

    captured = capfd.readouterr()
    text = pipeline["logs"] + captured.out + captured.err
    # The Logger's lines reach the demo's log file unless an earlier test of this process set up its stream.
    ingest_lines = [line for line in text.splitlines() if '"correlation_id":"incoming/' in line]
    for upload in demo.make_lists(RENTAN, SAWIT):
        name = upload.key.rsplit("/", 1)[1]
        assert name not in text, name
        if ingest_lines:
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
