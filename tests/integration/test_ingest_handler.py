"""The ingest function on moto, with S3 events shaped exactly as AWS sends them (events/*.json)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
import time_machine
from botocore.exceptions import ClientError
from python_calamine import CalamineWorkbook

from lindungi.intake import ingest
from lindungi_dev import samples
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import ROOT, Stack
from tests.builders import EVENTS, ingest_event, upload


def _items(stack: Stack) -> list[dict[str, Any]]:
    """The coverage items (each worker's own item, ``sk = WORKER``, is beside them)."""
    client = boto3.client("dynamodb")
    pages = client.get_paginator("scan").paginate(TableName=stack.physical("WorkersTable"))
    return [item for page in pages for item in page["Items"] if item["sk"]["S"].startswith("COVERAGE#")]


def _report(stack: Stack, key: str) -> dict[str, Any]:
    body = boto3.client("s3").get_object(Bucket=stack.physical("UploadBucket"), Key=key)["Body"].read()
    return json.loads(body)


@pytest.fixture
def people() -> list[samples.Worker]:
    return samples.plant_faults(samples.workers(120), every=17)[0]


def test_sample_events_decode_to_the_uploaded_key(aws: Stack, lambdas: LambdaRunner, people: list[Any]) -> None:
    key = "incoming/pekerja-sawit/Daftar Peserta (2).xlsx"  # what events/ingest-s3-put-encoded-key.json encodes
    data = samples.write_xlsx(people, "pekerja-sawit")
    version = upload(aws, key, data)
    event = ingest_event(aws, key, version, len(data))
    assert event["Records"][0]["s3"]["object"]["key"] == "incoming/pekerja-sawit/Daftar+Peserta+%282%29.xlsx"
    result = lambdas.invoke("IngestFunction", event)
    (outcome,) = result["files"]
    assert outcome["key"] == key and outcome["program"] == "pekerja-sawit" and outcome["error"] is None
    report = _report(aws, "reports/pekerja-sawit/Daftar Peserta (2).xlsx.json")
    assert report["rows_read"] == 120 and len(report["accepted"]) == outcome["counts"]["accepted"]
    items = _items(aws)
    assert len(items) == len(report["accepted"])
    assert {i["sk"]["S"] for i in items} <= {f"COVERAGE#pekerja-sawit#{d}" for d in
                                             ("2025-01-01", "2025-02-01", "2025-03-01")}
    workers = {i["nik"]["S"] for i in items}  # each worker's own item goes in the same stream as its covers
    assert outcome["write_requests"] == -(-(len(items) + len(workers)) // 25)  # BatchWriteItem: 25 items a request
    assert outcome["write_requests"] / report["rows_read"] <= 0.1


def test_duplicate_event_stores_and_counts_nothing_twice(aws: Stack, lambdas: LambdaRunner, people: list[Any]) -> None:
    key = "incoming/pekerja-rentan/daftar.xlsx"
    data = samples.write_xlsx(people, "pekerja-rentan")
    version = upload(aws, key, data)
    event = ingest_event(aws, key, version, len(data))
    first = lambdas.invoke("IngestFunction", event)["files"][0]
    before = _items(aws)
    with _table_writes(lambdas, aws.physical("WorkersTable")) as writes, time_machine.travel(timedelta(hours=1)):
        second = lambdas.invoke("IngestFunction", event)["files"][0]  # an hour on: a rewrite would change stored_at
    assert (first["replayed"], second["replayed"]) == (False, True)
    assert second["counts"] == first["counts"] and first["counts"]["accepted"] > 0
    assert writes == []
    assert _items(aws) == before  # not even stored_at changed: nothing was written again


@contextlib.contextmanager
def _table_writes(lambdas: LambdaRunner, table: str) -> Iterator[list[str]]:
    """The write calls the ingest function's DynamoDB client makes on ``table`` meanwhile."""
    events = lambdas.module("IngestFunction").ingestor.dynamodb.meta.events
    seen: list[str] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        if params.get("TableName") == table or table in params.get("RequestItems", {}) or any(
                table == op.get(kind, {}).get("TableName") for op in params.get("TransactItems", [])
                for kind in ("Put", "Update", "Delete")):
            seen.append(model.name)

    events.register("provide-client-params.dynamodb.*", record)
    try:
        yield seen
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The file names the use case parsed (``check`` called), in order."""
    seen: list[str] = []
    real = ingest.check

    def counted(data: bytes, filename: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(filename)
        return real(data, filename, *args, **kwargs)

    monkeypatch.setattr(ingest, "check", counted)
    return seen


def test_reupload_of_same_bytes_under_another_name(
    aws: Stack, lambdas: LambdaRunner, people: list[Any], parses: list[str]
) -> None:
    data = samples.write_xlsx(people, "pekerja-rentan")
    outcomes = [lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, data), len(data)))["files"][0]
                for key in ("incoming/pekerja-rentan/a.xlsx", "incoming/pekerja-rentan/salinan a.xlsx")]
    assert parses == ["a.xlsx"]  # hashed, found in the idempotency store: the copy is not parsed again
    first, copy_outcome = outcomes
    assert (copy_outcome["replayed"], copy_outcome["duplicate_of"]) == (True, "incoming/pekerja-rentan/a.xlsx")
    assert copy_outcome["counts"] == first["counts"] and copy_outcome["write_requests"] == 0
    original = _report(aws, "reports/pekerja-rentan/a.xlsx.json")
    copy = _report(aws, "reports/pekerja-rentan/salinan a.xlsx.json")
    assert copy["duplicate_of"] == "incoming/pekerja-rentan/a.xlsx" and copy["stored"] is False
    assert copy["rows_read"] == 120  # staff still see every row
    assert copy["file"] == "salinan a.xlsx" and copy["note"]
    assert (copy["source_key"], original["source_key"]) == ("incoming/pekerja-rentan/salinan a.xlsx",
                                                            "incoming/pekerja-rentan/a.xlsx")
    assert {k: v for k, v in copy.items() if k not in ("file", "source_key", "duplicate_of", "stored", "note")} == {
        k: v for k, v in original.items() if k not in ("file", "source_key")}
    stored = _items(aws)
    assert len(stored) == len(copy["accepted"]) > 0
    assert {i["source_key"]["S"] for i in stored} == {"incoming/pekerja-rentan/a.xlsx"}  # the copy stored nothing
    s3 = boto3.client("s3")
    fixes = [s3.get_object(Bucket=aws.physical("UploadBucket"), Key=f"reports/pekerja-rentan/{name}.perbaikan.xlsx")
             ["Body"].read() for name in ("a.xlsx", "salinan a.xlsx")]
    assert fixes[0] == fixes[1]


@pytest.mark.parametrize("what", ["report-expired", "name-reused-for-other-content"])
def test_a_copy_whose_first_report_no_longer_fits_is_parsed_for_its_report(
    aws: Stack, lambdas: LambdaRunner, people: list[Any], parses: list[str], what: str
) -> None:
    data = samples.write_xlsx(people, "pekerja-rentan")
    first = "incoming/pekerja-rentan/a.xlsx"
    lambdas.invoke("IngestFunction", ingest_event(aws, first, upload(aws, first, data), len(data)))
    if what == "report-expired":
        boto3.client("s3").delete_object(Bucket=aws.physical("UploadBucket"), Key="reports/pekerja-rentan/a.xlsx.json")
    else:
        other = samples.write_csv(samples.workers(7, seed=99))
        lambdas.invoke("IngestFunction", ingest_event(aws, first, upload(aws, first, other), len(other)))
    key = "incoming/pekerja-rentan/b.xlsx"
    lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, data), len(data)))
    assert parses[0] == "a.xlsx" and parses[-1] == "b.xlsx"
    copy = _report(aws, "reports/pekerja-rentan/b.xlsx.json")
    assert copy["duplicate_of"] == first and copy["rows_read"] == 120 and copy["file"] == "b.xlsx"


def test_content_is_remembered_for_idempotency_days_then_processed_again(
    aws: Stack, lambdas: LambdaRunner, people: list[Any], parses: list[str]
) -> None:
    days = int(lambdas.env("IngestFunction")["IDEMPOTENCY_DAYS"])
    key = "incoming/pekerja-rentan/daftar.xlsx"
    data = samples.write_xlsx(people, "pekerja-rentan")
    event = ingest_event(aws, key, upload(aws, key, data), len(data))
    assert lambdas.invoke("IngestFunction", event)["files"][0]["replayed"] is False
    with time_machine.travel(timedelta(days=days) - timedelta(hours=1), tick=True):
        assert lambdas.invoke("IngestFunction", event)["files"][0]["replayed"] is True
    with time_machine.travel(timedelta(days=days) + timedelta(hours=1), tick=True):
        again = lambdas.invoke("IngestFunction", event)["files"][0]
    assert again["replayed"] is False and again["write_requests"] > 0
    assert parses == ["daftar.xlsx", "daftar.xlsx"]


@pytest.mark.parametrize(
    ("first_key", "first_error"),
    [
        pytest.param("incoming/daftar.xlsx", "program_unknown", id="first-outside-a-program-folder"),
        pytest.param("incoming/pekerja-sawit/daftar.xlsx", None, id="first-under-another-program"),
    ],
)
def test_same_bytes_for_another_program_are_processed(
    aws: Stack, lambdas: LambdaRunner, people: list[Any], first_key: str, first_error: str | None
) -> None:
    data = samples.write_xlsx(people, "pekerja-rentan")
    first = lambdas.invoke("IngestFunction", ingest_event(aws, first_key, upload(aws, first_key, data), len(data)))
    assert first["files"][0]["error"] == first_error
    before = len(_items(aws))
    key = "incoming/pekerja-rentan/daftar.xlsx"
    second = lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, data), len(data)))["files"][0]
    assert (second["replayed"], second["duplicate_of"], second["error"]) == (False, None, None)
    assert len(_items(aws)) == before + second["counts"]["accepted"]


def test_a_list_whose_rows_were_all_rejected_is_processed_once_corrected(
    aws: Stack, lambdas: LambdaRunner, people: list[Any]
) -> None:
    key = "incoming/pekerja-rentan/daftar.csv"
    broken = samples.write_csv([samples.Worker(**{**w.__dict__, "nik": w.nik[:12]}) for w in people])
    first = lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, broken), len(broken)))["files"][0]
    assert first["counts"]["accepted"] == 0 and first["counts"]["rejected"] == len(people)
    fixed = samples.write_csv(people)
    second = lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, fixed), len(fixed)))["files"][0]
    assert second["replayed"] is False and second["counts"]["accepted"] > 0
    assert len(_items(aws)) == second["counts"]["accepted"]
    assert len(_report(aws, "reports/pekerja-rentan/daftar.csv.json")["accepted"]) == second["counts"]["accepted"]


def test_the_uploaded_object_is_never_changed(aws: Stack, lambdas: LambdaRunner, people: list[Any]) -> None:
    s3 = boto3.client("s3")
    bucket = aws.physical("UploadBucket")
    data = samples.write_xlsx(people, "pekerja-rentan")
    for key in ("incoming/pekerja-rentan/a.xlsx", "incoming/pekerja-rentan/b.xlsx"):  # the second, a copy
        version = upload(aws, key, data)
        before = s3.head_object(Bucket=bucket, Key=key)
        lambdas.invoke("IngestFunction", ingest_event(aws, key, version, len(data)))
        lambdas.invoke("IngestFunction", ingest_event(aws, key, version, len(data)))  # delivered twice
        versions = s3.list_object_versions(Bucket=bucket, Prefix=key)
        assert [v["VersionId"] for v in versions["Versions"]] == [version] and not versions.get("DeleteMarkers")
        after = s3.get_object(Bucket=bucket, Key=key)
        assert after["Body"].read() == data and after["VersionId"] == version
        assert (after["ETag"], after["LastModified"], after.get("Metadata")) == (
            before["ETag"], before["LastModified"], before.get("Metadata"))


def test_new_tmt_adds_a_period_and_new_phone_updates_contact(aws: Stack, lambdas: LambdaRunner) -> None:
    worker = samples.workers(1)[0]
    first = samples.write_csv([worker])
    renewed = samples.write_csv([samples.Worker(**{**worker.__dict__, "tmt": "01-06-2025"})])
    new_phone = samples.write_csv([samples.Worker(**{**worker.__dict__, "phone": "0813-9999-8888"})])
    for n, data in enumerate((first, renewed, new_phone)):
        key = f"incoming/pekerja-rentan/list-{n}.csv"
        lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, data), len(data)))
    items = {i["sk"]["S"]: i for i in _items(aws)}
    assert len(items) == 2  # the first TMT and the new one
    assert items[f"COVERAGE#pekerja-rentan#{_iso(worker.tmt)}"]["phone"]["S"] == "+6281399998888"


def _iso(ddmmyyyy: str) -> str:
    d, m, y = ddmmyyyy.split("-")
    return f"{y}-{m}-{d}"


@pytest.mark.parametrize(
    ("key", "data", "code"),
    [
        pytest.param("incoming/pekerja-rentan/scan.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(300), "file_unsupported",
                     id="unsupported"),
        pytest.param("incoming/daftar.xlsx", None, "program_unknown", id="no-program-folder"),
        pytest.param("incoming/pekerja-rentan/rusak.xlsx", b"PK\x03\x04" + bytes(100), "file_unreadable",
                     id="corrupt"),
    ],
)
def test_bad_files_end_in_a_report_not_a_crash(aws: Stack, lambdas: LambdaRunner, key: str, data: bytes | None,
                                               code: str) -> None:
    body = data if data is not None else samples.write_xlsx(samples.workers(3), "pekerja-rentan")
    version = upload(aws, key, body)
    outcome = lambdas.invoke("IngestFunction", ingest_event(aws, key, version, len(body)))["files"][0]
    assert outcome["error"] == code
    report = _report(aws, outcome["report_key"])
    assert report["error"]["code"] == code and report["error"]["message"]
    assert _items(aws) == []
    # The upload itself is never touched.
    assert boto3.client("s3").get_object(Bucket=aws.physical("UploadBucket"), Key=key)["Body"].read() == body


def test_too_large_is_judged_from_the_event_before_downloading(aws: Stack, lambdas: LambdaRunner) -> None:
    key = "incoming/pekerja-rentan/besar.csv"
    version = upload(aws, key, b"NIK;Nama\n")
    huge = 10 * 2**30
    outcome = lambdas.invoke("IngestFunction", ingest_event(aws, key, version, huge))["files"][0]
    assert outcome["error"] == "file_too_large" and outcome["sha256"] is None


def test_rejected_rows_file_is_written_for_staff(aws: Stack, lambdas: LambdaRunner, people: list[Any]) -> None:
    key = "incoming/pekerja-rentan/daftar.xlsx"
    data = samples.write_xlsx(people, "pekerja-rentan")
    lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, data), len(data)))
    fix = boto3.client("s3").get_object(Bucket=aws.physical("UploadBucket"),
                                        Key="reports/pekerja-rentan/daftar.xlsx.perbaikan.xlsx")
    assert fix["ContentType"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    report = _report(aws, "reports/pekerja-rentan/daftar.xlsx.json")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(fix["Body"].read())).get_sheet_by_name("Perbaikan").to_python()
    header = rows[0]
    by_status: dict[str, list[str]] = {}
    for row in rows[1:]:
        by_status.setdefault(row[0], []).append(str(row[header.index("NIK")]))
    # Every rejected row and every accepted row with warnings, by NIK, and nothing else.
    assert sorted(by_status["DITOLAK"]) == sorted(r["nik"] or "" for r in report["rejected"]) and report["rejected"]
    assert sorted(by_status["PERINGATAN"]) == sorted(a["nik"] for a in report["accepted"] if a["warnings"])
    assert set(by_status) == {"DITOLAK", "PERINGATAN"}


def test_async_failure_goes_to_the_failure_destination_with_the_event(aws: Stack, lambdas: LambdaRunner) -> None:
    key = "incoming/pekerja-rentan/daftar.csv"
    data = samples.write_csv(samples.workers(3))
    event = ingest_event(aws, key, upload(aws, key, data), len(data))

    def s3_down(**_: Any) -> None:  # S3 failing (500) on every attempt: a failure to retry, unlike a gone object
        raise ClientError({"Error": {"Code": "InternalError", "Message": "We encountered an internal error"}},
                          "GetObject")

    events = lambdas.module("IngestFunction").ingestor.s3.meta.events
    events.register("before-parameter-build.s3.GetObject", s3_down)
    try:
        result = lambdas.invoke_async("IngestFunction", event)
    finally:
        events.unregister("before-parameter-build.s3.GetObject", s3_down)
    assert result["ok"] is False and result["attempts"] == 3
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws.physical("IngestFailedQueue"), MaxNumberOfMessages=10)["Messages"]
    record = json.loads(messages[0]["Body"])
    assert record["requestPayload"] == event
    assert record["requestContext"]["condition"] == "RetriesExhausted"


def test_events_directory_samples_are_what_each_function_receives() -> None:
    """One sample per function at least, each shaped as its trigger in template.yaml sends it."""
    from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, S3Event, SQSEvent


    found = {path.name: json.loads(path.read_text()) for path in Path(EVENTS).glob("*.json")}
    assert {name.split("-")[0] for name in found} == {p.name for p in (ROOT / "functions").iterdir() if p.is_dir()}
    s3 = {name: S3Event(event) for name, event in found.items() if name.startswith("ingest-")}
    assert {e.record.s3.get_object.key for e in s3.values()} == {
        "incoming/pekerja-rentan/daftar-kec-barat.xlsx", quote_plus("incoming/pekerja-sawit/Daftar Peserta (2).xlsx",
                                                                    safe="/")}
    for event in s3.values():
        assert (event.record.event_source, event.record.event_name) == ("aws:s3", "ObjectCreated:Put")
        assert event.record.s3.get_object.version_id and event.record.s3.get_object.size > 0
    schedule = EventBridgeEvent(found["planner-schedule.json"])
    assert (schedule.source, schedule.detail_type) == ("aws.scheduler", "Scheduled Event")  # ScheduleV2
    batch = SQSEvent(found["sender-sqs-batch.json"])
    assert len(list(batch.records)) == 2
    for record in batch.records:
        assert record.event_source == "aws:sqs" and record.md5_of_body == hashlib.md5(record.body.encode()).hexdigest()
        body = json.loads(record.body)  # sealed as the planner seals it (lindungi.reminders.sealed): no NIK in clear
        assert set(body) == {"v", "kid", "dk", "iv", "ct"} and body["kid"].startswith("arn:aws:kms:")
        assert not re.search(r"\d{16}", record.body)
