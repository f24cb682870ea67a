"""The rekap against moto's tables built from template.yaml: the figures, the files in the bucket, the grants."""

from __future__ import annotations

import io
import json
from datetime import date
from importlib import resources
from typing import Any

import boto3
import pytest
from python_calamine import CalamineWorkbook

from lindungi.config import load_programs, programs
from lindungi.dynamo import serialize
from lindungi.intake import store
from lindungi.rekap import read
from lindungi.rekap.model import Cover, Rekap
from lindungi.rekap.page import render
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import ROOT, Stack
from lindungi_dev.grants import CallRecorder, missing_grants
from tests.builders import FAILED_PHONE, SCENARIO, A, B, C, D, E, F, G, ingest_event, upload
from tests.builders import REKAP_DAY as TODAY

NOTICES = [
    {"pk": f"NOTICE#{A}#pekerja-rentan#2025-01-01#30", "program": "pekerja-rentan", "stage": 30, "status": "delivered"},
    {"pk": f"NOTICE#{A}#pekerja-rentan#2025-01-01#7", "program": "pekerja-rentan", "stage": 7, "status": "superseded"},
    {"pk": f"NOTICE#{B}#pekerja-rentan#2025-01-01#30", "program": "pekerja-rentan", "stage": 30, "status": "sent"},
    {"pk": f"NOTICE#{B}#pekerja-rentan#2025-01-01#7", "program": "pekerja-rentan", "stage": 7, "status": "failed"},
    {"pk": f"NOTICE#{F}#pekerja-rentan#2025-01-01#30", "program": "pekerja-rentan", "stage": 30,
     "status": "number_failed"},
    {"pk": "OPTOUT#+6281299999999", "e164": "+6281299999999"},
    {"pk": f"UNREACHABLE#{FAILED_PHONE}", "e164": FAILED_PHONE, "nik": F, "reason": "UNKNOWN_SUBSCRIBER",
     "added_at": "2025-06-20T02:00:00+00:00"},
]


def scheduled(day: date) -> dict[str, Any]:
    """events/rekap-schedule.json, for 10:00 WIB (03:00 UTC) of ``day``."""
    event: dict[str, Any] = json.loads((ROOT / "events" / "rekap-schedule.json").read_text("utf-8"))
    return event | {"time": f"{day.isoformat()}T03:00:00Z"}


def seed(aws: Stack) -> None:
    client = boto3.client("dynamodb")
    store.write_items(client, aws.physical("WorkersTable"), SCENARIO)
    for notice in NOTICES:
        client.put_item(TableName=aws.physical("NoticesTable"), Item=serialize(notice))


def build(aws: Stack) -> Rekap:
    return read.build(boto3.client("dynamodb"), aws.physical("WorkersTable"), aws.physical("NoticesTable"), TODAY,
                      programs())


def test_the_rekap_answers_the_offices_questions(aws: Stack) -> None:
    seed(aws)
    rekap = build(aws)
    assert rekap.workers == 7 and rekap.covers == len(SCENARIO)
    assert rekap.covered == {"pekerja-rentan": 4, "pekerja-sawit": 3}  # A, C (once), F, G; D, E, G
    cohort = rekap.cohorts[("pekerja-rentan", date(2025, 1, 1))]
    assert (cohort.ended, cohort.renewed) == (2, 1)  # A renewed, B did not
    assert (rekap.renewal().ended, rekap.renewal().renewed) == (3, 1)  # + D's rentan cover
    assert [x.nik for x in rekap.listed_twice] == [C]
    assert set(rekap.listed_twice[0].files) == {"Kec Barat.xlsx", "Kec Timur.xlsx"}
    assert set(rekap.listed_twice[0].kecamatan) == {"Singkawang Barat", "Singkawang Timur"}
    assert [x.nik for x in rekap.both_programs] == [D, G]
    assert [x.nik for x in rekap.no_sms] == [E]
    assert [(x.nik, x.detail) for x in rekap.failed_numbers] == [(F, "UNKNOWN_SUBSCRIBER")]
    assert rekap.opt_outs == 1
    assert rekap.notices[("pekerja-rentan", 30, "delivered")] == 1
    assert rekap.notices[("pekerja-rentan", 7, "failed")] == 1
    # Covers ending in the next 12 weeks: C's two (July, August); A, F, G end 31 October, past the horizon.
    assert sum(rekap.ending.values()) == 2
    assert rekap.read["workers_pages"] >= 1 and rekap.read["workers_items"] == len(SCENARIO)


def test_a_worker_split_across_scan_pages_is_still_one_worker(aws: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(aws)
    whole = build(aws)
    monkeypatch.setattr(read, "PAGE_SIZE", 1)
    paged = build(aws)
    assert paged.read["workers_pages"] >= len(SCENARIO)
    assert (paged.workers, paged.covered, paged.cohorts, paged.listed_twice, paged.both_programs) == (
        whole.workers, whole.covered, whole.cohorts, whole.listed_twice, whole.both_programs)


def test_over_quota_is_called_out() -> None:
    raw = json.loads(resources.files("lindungi").joinpath("programs.json").read_text("utf-8"))
    raw["programs"]["pekerja-sawit"]["quota"] = 1
    small = load_programs(json.dumps(raw))
    rekap = Rekap(today=TODAY, programs=small)
    for item in SCENARIO:
        if item["nik"] in {D, E}:
            rekap.add_worker([Cover.from_item(i) for i in SCENARIO if i["nik"] == item["nik"]])
    page = render(rekap)
    assert 'id="over-pekerja-sawit"' in page and "MELEBIHI KUOTA" in page


def test_the_function_writes_page_and_workbook_with_only_its_grants(aws: Stack, lambdas: LambdaRunner) -> None:
    seed(aws)
    recorder = CallRecorder(aws)
    with recorder.recording():
        outcome = lambdas.invoke("RekapFunction", scheduled(TODAY))
    assert missing_grants(aws, recorder.calls) == []
    assert outcome["page_key"] == f"reports/rekap/{TODAY}.html"
    s3 = boto3.client("s3")
    bucket = aws.physical("UploadBucket")
    page = s3.get_object(Bucket=bucket, Key=outcome["page_key"])
    assert page["ContentType"] == "text/html; charset=utf-8"
    html = page["Body"].read().decode("utf-8")
    for nik in (A, B, C, D, E, F, G):
        assert nik not in html, "no NIK in full on the page"
    assert f"{C[:4]}********{C[-4:]}" in html, "masked as in the logs"
    assert "<script>" not in html and "&lt;script&gt;" in html
    book = CalamineWorkbook.from_filelike(io.BytesIO(s3.get_object(Bucket=bucket, Key=outcome["workbook_key"])
                                                     ["Body"].read()))
    twice = book.get_sheet_by_name("Terdaftar ganda").to_python()
    assert twice[1][0] == C, "the workbook has the NIK in full, as text"


def _ingest(aws: Stack, lambdas: LambdaRunner, key: str, data: bytes) -> None:
    outcome = lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, data), len(data)))["files"][0]
    assert outcome["error"] is None


def test_the_same_worker_and_tmt_from_two_offices_is_a_double_listing(aws: Stack, lambdas: LambdaRunner) -> None:
    from lindungi_dev import samples

    people = samples.workers(6, "pekerja-rentan")
    barat, timur = people[:4], people[2:]  # two workers on both lists, same TMT: one item each in the table
    _ingest(aws, lambdas, "incoming/pekerja-rentan/Kec Barat.xlsx", samples.write_xlsx(barat, "pekerja-rentan"))
    timur_list = samples.write_xlsx(timur, "pekerja-rentan")
    _ingest(aws, lambdas, "incoming/pekerja-rentan/Kec Timur.xlsx", timur_list)
    _ingest(aws, lambdas, "incoming/pekerja-rentan/Kec Timur (salinan).xlsx", timur_list)  # same bytes: not stored
    recorder = CallRecorder(aws)
    with recorder.recording():
        outcome = lambdas.invoke("RekapFunction", scheduled(date(2025, 3, 1)))
    assert missing_grants(aws, recorder.calls) == []
    assert outcome["workers"] == 6 and outcome["listed_twice"] == 2 and outcome["read"]["reports"] == 3
    book = CalamineWorkbook.from_filelike(io.BytesIO(boto3.client("s3").get_object(
        Bucket=aws.physical("UploadBucket"), Key=outcome["workbook_key"])["Body"].read()))
    twice = book.get_sheet_by_name("Terdaftar ganda").to_python()[1:]
    assert sorted(row[0] for row in twice) == sorted(w.nik for w in people[2:4])
    assert all("Kec Barat.xlsx" in row[5] and "Kec Timur.xlsx" in row[5] and "salinan" not in row[5] for row in twice)
