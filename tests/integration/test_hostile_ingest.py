"""The hostile corpus through the ingest handler on moto, with S3's 1,024-byte key limit enforced.

moto accepts keys of any length; real S3 refuses a key over 1,024 bytes (UTF-8) with
``KeyTooLongError``. A botocore hook on the handler's own S3 client refuses them the same way, so a
report key that would not fit fails here as it would in AWS. Every case must end with a report at
the key the outcome names, the expected code, nothing stored, within the ingest function's memory and
timeout (template.yaml). Objects that are gone, and folders, end without a report and without failing.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from botocore.exceptions import ClientError

from lindungi.settings import Limits
from lindungi_dev import samples
from lindungi_dev.emulator.lambdas import Context, LambdaRunner
from lindungi_dev.emulator.template import ROOT, Stack
from lindungi_dev.samples.hostile import CASES, PROGRAM, Case, csv_huge_cell, pdf_many_pages

EVENT = ROOT / "events" / "ingest-s3-put-encoded-key.json"
S3_KEY_LIMIT = 1024


def _event(stack: Stack, key: str, version: str | None, size: int, name: str = "ObjectCreated:Put") -> dict[str, Any]:
    event = json.loads(EVENT.read_text())
    record = event["Records"][0]
    record["eventName"] = name
    record["s3"]["bucket"]["name"] = stack.physical("UploadBucket")
    record["s3"]["object"].update({"key": quote_plus(key, safe="/"), "versionId": version, "size": size})
    return event


def _upload(stack: Stack, key: str, data: bytes) -> str:
    return boto3.client("s3").put_object(Bucket=stack.physical("UploadBucket"), Key=key, Body=data)["VersionId"]


def _keys(stack: Stack, prefix: str) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=stack.physical("UploadBucket"), Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def _report(stack: Stack, key: str) -> dict[str, Any]:
    body = boto3.client("s3").get_object(Bucket=stack.physical("UploadBucket"), Key=key)["Body"].read()
    return json.loads(body)


def _items(stack: Stack) -> list[dict[str, Any]]:
    """The coverage items (each worker's own item, ``sk = WORKER``, is beside them)."""
    items = boto3.client("dynamodb").scan(TableName=stack.physical("WorkersTable"))["Items"]
    return [item for item in items if item["sk"]["S"].startswith("COVERAGE#")]


def _refuse_long_keys(params: dict[str, Any], **_: Any) -> None:
    """What S3 does with a key over 1,024 bytes (moto does not)."""
    if len(params.get("Key", "").encode("utf-8")) > S3_KEY_LIMIT:
        raise ClientError({"Error": {"Code": "KeyTooLongError", "Message": "Your key is too long"}}, "PutObject")


@pytest.fixture
def ingest(aws: Stack, lambdas: LambdaRunner) -> Iterator[LambdaRunner]:
    """The handler with S3's key limit on its own client (uploads by the test itself are not limited)."""
    events = lambdas.module("IngestFunction").ingestor.s3.meta.events
    for operation in ("PutObject", "CopyObject", "CreateMultipartUpload"):
        events.register(f"before-parameter-build.s3.{operation}", _refuse_long_keys)
    yield lambdas
    for operation in ("PutObject", "CopyObject", "CreateMultipartUpload"):
        events.unregister(f"before-parameter-build.s3.{operation}", _refuse_long_keys)


def _limits(stack: Stack) -> tuple[int, int]:
    props = stack.function_properties("IngestFunction")
    return int(stack.resolve(props["MemorySize"])), int(stack.resolve(props["Timeout"]))


def _peak_mb() -> float:
    """This process's peak and its children's (PDF and spreadsheet workers): an upper bound for the handler's."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def test_the_key_limit_is_enforced_here(aws: Stack, ingest: LambdaRunner) -> None:
    s3 = ingest.module("IngestFunction").ingestor.s3
    with pytest.raises(ClientError, match="KeyTooLongError"):
        s3.put_object(Bucket=aws.physical("UploadBucket"), Key="reports/" + "x" * 1020, Body=b"")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_upload_ends_in_a_report(aws: Stack, ingest: LambdaRunner, case: Case) -> None:
    memory_mb, timeout_s = _limits(aws)
    data = case.make()
    key = f"incoming/{PROGRAM}/{case.filename}"
    started = time.monotonic()
    outcome = ingest.invoke("IngestFunction", _event(aws, key, _upload(aws, key, data), len(data)))["files"][0]
    assert time.monotonic() - started < timeout_s
    assert _peak_mb() < memory_mb
    assert outcome["error"] == case.error
    report = _report(aws, outcome["report_key"])
    assert report["source_key"] == key
    assert (report["error"] or {}).get("code") == case.error
    if case.error is not None:
        assert _items(aws) == []  # nothing half-stored


@pytest.mark.parametrize("length", [1_011, 1_016, 1_024], ids=lambda n: f"{n}-byte-key")
def test_report_keys_fit_s3s_limit_however_long_the_upload_key(aws: Stack, ingest: LambdaRunner, length: int) -> None:
    prefix = f"incoming/{PROGRAM}/"
    name = "Daftar Peserta Kecamatan Singkawang Barat " * 30
    key = prefix + name[: length - len(prefix) - len("é.xlsx".encode())] + "é.xlsx"  # é: two bytes in UTF-8
    assert len(key.encode()) == length
    people = samples.plant_faults(samples.workers(20), every=7)[0]  # rejected rows: a .perbaikan.xlsx too
    data = samples.write_xlsx(people, PROGRAM)
    outcome = ingest.invoke("IngestFunction", _event(aws, key, _upload(aws, key, data), len(data)))["files"][0]
    assert outcome["error"] is None and outcome["counts"]["accepted"] > 0
    written = _keys(aws, "reports/")
    assert outcome["report_key"] in written
    assert all(len(k.encode()) <= S3_KEY_LIMIT for k in written)
    assert any(k.endswith(".perbaikan.xlsx") for k in written)
    report = _report(aws, outcome["report_key"])
    assert report["source_key"] == key  # the shortened report still says which upload it answers


def test_a_folder_made_in_the_console_is_skipped(aws: Stack, ingest: LambdaRunner,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    key = f"incoming/{PROGRAM}/"
    version = _upload(aws, key, b"")
    (outcome,) = ingest.invoke("IngestFunction", _event(aws, key, version, 0))["files"]
    assert outcome["skipped"] == "folder"
    assert outcome["error"] is None
    assert _keys(aws, "reports/") == []
    assert "FilesFailed" not in capsys.readouterr().out  # no metric says a file failed


def test_the_handler_gives_the_reader_its_remaining_time(
    aws: Stack, ingest: LambdaRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Context, "get_remaining_time_in_millis", lambda self: 62_000)  # 1 s left to read
    module = ingest.module("IngestFunction")
    roomy = Limits(max_pdf_pages=100_000, max_ignored=1_000_000)
    monkeypatch.setattr(module, "settings", dataclasses.replace(module.settings, limits=roomy))
    key = f"incoming/{PROGRAM}/panjang.pdf"
    data = pdf_many_pages(10_000, footers=1, declared=None)  # some 20 s of reading
    started = time.monotonic()
    (outcome,) = ingest.invoke("IngestFunction", _event(aws, key, _upload(aws, key, data), len(data)))["files"]
    assert time.monotonic() - started < 10
    assert outcome["error"] in ("file_too_large", "file_unreadable")  # stopped after some pages, or before any
    report = _report(aws, outcome["report_key"])
    assert report["error"]["code"] == outcome["error"] and _items(aws) == []


@pytest.mark.parametrize("gone", ["deleted-version", "no-such-key", "delete-marker", "removed-event"])
def test_an_object_gone_since_its_event_is_logged_and_returned_not_failed(
    aws: Stack, ingest: LambdaRunner, gone: str
) -> None:
    s3, bucket = boto3.client("s3"), aws.physical("UploadBucket")
    key = f"incoming/{PROGRAM}/hilang.csv"
    data = samples.write_csv(samples.workers(3))
    version: str | None = _upload(aws, key, data)
    name = "ObjectCreated:Put"
    if gone == "deleted-version":
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
    elif gone == "no-such-key":
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
        version = None
    elif gone == "delete-marker":
        version = s3.delete_object(Bucket=bucket, Key=key)["VersionId"]  # the event names the marker
    else:
        version, name = s3.delete_object(Bucket=bucket, Key=key)["VersionId"], "ObjectRemoved:DeleteMarkerCreated"
    (outcome,) = ingest.invoke("IngestFunction", _event(aws, key, version, len(data), name))["files"]
    assert outcome["skipped"] == "gone"
    assert outcome["error"] is None
    assert _keys(aws, "reports/") == [] and _items(aws) == []


def test_an_upload_named_like_the_rekap_cannot_replace_its_page(aws: Stack, ingest: LambdaRunner) -> None:
    """``incoming/rekap/<date>`` once wrote its report page at ``reports/rekap/<date>.html``, the rekap's."""
    s3, bucket = boto3.client("s3"), aws.physical("UploadBucket")
    s3.put_object(Bucket=bucket, Key="reports/rekap/2025-08-20.html", Body=b"<p>rekap</p>")
    key = "incoming/rekap/2025-08-20"
    data = samples.write_csv(samples.workers(3))
    (outcome,) = ingest.invoke("IngestFunction", _event(aws, key, _upload(aws, key, data), len(data)))["files"]
    assert outcome["report_key"] == "reports/~rekap/2025-08-20.json"
    assert s3.get_object(Bucket=bucket, Key="reports/rekap/2025-08-20.html")["Body"].read() == b"<p>rekap</p>"
    assert [k for k in _keys(aws, "reports/") if k.startswith("reports/rekap/")] == ["reports/rekap/2025-08-20.html"]


def test_a_cell_too_long_for_the_table_is_a_named_row_rejection(aws: Stack, ingest: LambdaRunner) -> None:
    """A 450 KB cell once made an item over DynamoDB's 400 KB: its batch failed, the file was store_failed
    on every retry. Now every row ends stored or rejected with a reason."""
    key = f"incoming/{PROGRAM}/alamat-panjang.csv"
    data = csv_huge_cell()
    (outcome,) = ingest.invoke("IngestFunction", _event(aws, key, _upload(aws, key, data), len(data)))["files"]
    assert outcome["error"] is None
    report = _report(aws, outcome["report_key"])
    assert [r["reasons"] for r in report["rejected"]] == [["cell_too_long"]]
    assert len(json.dumps(report)) < 100_000  # the cell is not carried into the report again
    assert len(_items(aws)) == len(report["accepted"]) == report["rows_read"] - 1


def test_a_row_whose_item_dynamodb_would_refuse_is_rejected_not_the_file(
    aws: Stack, ingest: LambdaRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence behind the cell cap: the item is size-checked before it is written."""
    from lindungi.intake import store

    people = samples.workers(10, PROGRAM, seed=5)
    people[4] = dataclasses.replace(people[4], address="Jl. " + "B" * 900)  # under the cell cap
    monkeypatch.setattr(store, "ITEM_MAX_BYTES", 1_500)  # a table whose items are small, as 400 KB is to a cell
    key = f"incoming/{PROGRAM}/besar.csv"
    data = samples.write_csv(people)
    (outcome,) = ingest.invoke("IngestFunction", _event(aws, key, _upload(aws, key, data), len(data)))["files"]
    assert outcome["error"] is None
    report = _report(aws, outcome["report_key"])
    assert [(r["nik"], r["reasons"]) for r in report["rejected"]] == [(people[4].nik, ["row_too_large"])]
    assert len(_items(aws)) == 9 == len(report["accepted"])
    assert outcome["counts"]["rejected_by_reason"] == {"row_too_large": 1}
