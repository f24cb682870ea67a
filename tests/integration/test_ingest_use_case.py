"""The upload use case on moto without the handler: its idempotency store and config given by the test."""

from __future__ import annotations

import dataclasses
import io
import json
import time
from typing import Any

import boto3
import pytest
from python_calamine import CalamineWorkbook

from lindungi.intake import example
from lindungi.intake.ingest import Ingestor, Upload
from lindungi.page import moment
from lindungi_dev import samples
from lindungi_dev.emulator.template import Stack
from tests.builders import ingestor_on

KEY = "incoming/pekerja-rentan/daftar.csv"


@pytest.fixture
def ingestor(aws: Stack) -> Ingestor:
    return ingestor_on(aws)


def _upload(aws: Stack, key: str = KEY) -> Upload:
    data = samples.write_csv(samples.workers(20))
    bucket = aws.physical("UploadBucket")
    version = boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data)["VersionId"]
    return Upload(bucket=bucket, key=key, version_id=version, size=len(data), event_time="2025-01-02T03:04:05Z")


def _records(aws: Stack) -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName=aws.physical("IdempotencyTable"))["Items"]


def test_the_store_step_runs_once_and_a_replay_says_so(aws: Stack, ingestor: Ingestor) -> None:
    upload = _upload(aws)
    first, second = ingestor.process(upload), ingestor.process(upload)
    assert (first.replayed, second.replayed) == (False, True)
    assert second.to_dict() == first.to_dict() | {"replayed": True}
    (record,) = _records(aws)
    assert record["id"]["S"].startswith("app.store_once#")  # the key records written before the move had
    assert time.time() + 86_400 - 120 < int(record["expiration"]["N"]) <= time.time() + 86_400  # one day


def test_a_response_stored_with_the_old_nonce_replays(aws: Stack, ingestor: Ingestor) -> None:
    """Records written when the handler told replays apart with a nonce still replay cleanly."""
    upload = _upload(aws)
    first = ingestor.process(upload)
    (record,) = _records(aws)
    data = json.loads(record["data"]["S"]) | {"nonce": "0123456789abcdef"}
    boto3.client("dynamodb").update_item(
        TableName=aws.physical("IdempotencyTable"), Key={"id": record["id"]},
        UpdateExpression="SET #d = :d", ExpressionAttributeNames={"#d": "data"},
        ExpressionAttributeValues={":d": {"S": json.dumps(data)}},
    )
    replay = ingestor.process(upload)
    assert replay.replayed and replay.to_dict() == first.to_dict() | {"replayed": True}


def _put(aws: Stack, key: str, data: bytes) -> Upload:
    bucket = aws.physical("UploadBucket")
    version = boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data)["VersionId"]
    return Upload(bucket=bucket, key=key, version_id=version, size=len(data), event_time="2025-01-02T03:04:05Z")


def _report(aws: Stack, key: str) -> dict[str, Any]:
    body = boto3.client("s3").get_object(Bucket=aws.physical("UploadBucket"), Key=key)["Body"].read()
    return dict(json.loads(body))


def test_a_list_names_its_workers_already_covered_by_an_earlier_list(aws: Stack, ingestor: Ingestor) -> None:
    """Ten workers of the first list again in a second one (other bytes, other name): the second's report
    names each with the first list's cover; the first's report names none, also when it is stored again."""
    everyone = samples.workers(20)
    first = ingestor.process(_put(aws, KEY, samples.write_csv(everyone)))
    again = ingestor.process(_put(aws, "incoming/pekerja-rentan/susulan.csv", samples.write_csv(everyone[5:15])))
    assert _report(aws, first.report_key)["already_covered"] == []
    covered = _report(aws, again.report_key)["already_covered"]
    assert sorted(c["nik"] for c in covered) == sorted(w.nik for w in everyone[5:15])
    assert {c["source_key"] for c in covered} == {KEY} and {c["program"] for c in covered} == {"pekerja-rentan"}
    assert _report(aws, again.report_key)["processed_at"].endswith("+00:00")
    page = boto3.client("s3").get_object(Bucket=aws.physical("UploadBucket"),
                                         Key=again.report_key.removesuffix(".json") + ".html")["Body"].read().decode()
    assert 'id="earlier"' in page and "daftar.csv" in page


def test_a_copy_of_a_list_shows_the_first_uploads_results_in_full(aws: Stack, ingestor: Ingestor) -> None:
    """Same bytes under another name: its page names the first upload and when it was processed, and shows
    the first's counts and rows to fix, with the fix-up workbook under the copy's own name."""
    data = (b"NIK;Nama;No HP;TMT\n6172014509850003;SITI AMINAH;081234567890;01-01-2025\n"
            b"6172011234;BUDI KECIL;081234567891;01-01-2025\n")
    ingestor.process(_put(aws, KEY, data))
    copy = ingestor.process(_put(aws, "incoming/pekerja-rentan/salinan.csv", data))
    assert copy.duplicate_of == KEY and copy.counts["rejected"] == 1
    first = _report(aws, "reports/pekerja-rentan/daftar.csv.json")
    page = boto3.client("s3").get_object(Bucket=aws.physical("UploadBucket"),
                                         Key="reports/pekerja-rentan/salinan.csv.html")["Body"].read().decode()
    duplicate = page.split('id="duplicate"', 1)[1].split("</div>", 1)[0]
    assert "daftar.csv" in duplicate and moment(first["processed_at"]) in duplicate
    assert 'id="reject-nik_invalid"' in page and "BUDI KECIL" in page and "10 angka, bukan 16" in page
    assert 'href="salinan.csv.perbaikan.xlsx"' in page
    assert '<span class="n">1</span><span class="l">Ditolak' in page


def test_a_list_without_a_header_gets_the_example_list_beside_its_page(aws: Stack, ingestor: Ingestor) -> None:
    data = b"No;Nama Ibu Kandung;No. KK\n1;SITI;6172010101010001\n"
    outcome = ingestor.process(_put(aws, "incoming/pekerja-rentan/tanpa judul.csv", data))
    assert outcome.error == "header_not_found"
    s3, bucket = boto3.client("s3"), aws.physical("UploadBucket")
    page = s3.get_object(Bucket=bucket, Key="reports/pekerja-rentan/tanpa judul.csv.html")["Body"].read().decode()
    assert f'href="{example.NAME}"' in page and "<li>Nama Ibu Kandung</li>" in page
    beside = s3.get_object(Bucket=bucket, Key=f"reports/pekerja-rentan/{example.NAME}")["Body"].read()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(beside)).get_sheet_by_name("Daftar").to_python()
    assert rows[0] == [label for _, label in example.COLUMNS] and len(rows) == 1 + len(example.ROWS)
    assert _report(aws, outcome.report_key)["error"]["columns_seen"] == ["No", "Nama Ibu Kandung", "No. KK"]
def test_a_failed_file_is_read_again_once_the_configuration_that_failed_it_changes(
    aws: Stack, ingestor: Ingestor
) -> None:
    shipped = ingestor.programs
    ingestor.programs = dataclasses.replace(shipped, by_id={
        pid: program for pid, program in shipped.by_id.items() if pid != "pekerja-rentan"
    })  # configuration A: the folder names no program it knows
    upload = _upload(aws)
    failed, again = ingestor.process(upload), ingestor.process(upload)
    assert (failed.error, failed.replayed) == ("program_unknown", False)
    assert again.to_dict() == failed.to_dict() | {"replayed": True}  # same bytes, same configuration: remembered
    (record,) = _records(aws)
    assert record["id"]["S"].startswith("app.failed_file#")
    assert time.time() + 6 * 3_600 - 120 < int(record["expiration"]["N"]) <= time.time() + 6 * 3_600  # hours

    ingestor.programs = shipped  # configuration B: fixed
    read = ingestor.process(upload)
    assert (read.error, read.replayed, read.counts["accepted"]) == (None, False, 20)
    assert read.write_requests > 0
    report = json.loads(boto3.client("s3").get_object(Bucket=upload.bucket, Key=read.report_key)["Body"].read())
    assert report["error"] is None and len(report["accepted"]) == 20
    # A file that was read stays idempotent by its content, whatever the configuration does next.
    ingestor.limits = dataclasses.replace(ingestor.limits, max_rows=5)
    assert ingestor.process(upload).to_dict() == read.to_dict() | {"replayed": True}
    assert sorted(r["id"]["S"].split("#")[0] for r in _records(aws)) == ["app.failed_file", "app.store_once"]


def test_a_limit_raised_reads_a_file_that_failed_on_it(aws: Stack, ingestor: Ingestor) -> None:
    ingestor.limits = dataclasses.replace(ingestor.limits, max_rows=5)
    upload = _upload(aws)
    assert ingestor.process(upload).error == "file_too_large"
    assert ingestor.process(upload).replayed
    ingestor.limits = dataclasses.replace(ingestor.limits, max_rows=150_000)
    read = ingestor.process(upload)
    assert (read.error, read.replayed, read.counts["accepted"]) == (None, False, 20)


def _worker_items(aws: Stack) -> dict[str, dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=aws.physical("WorkersTable"))["Items"]
    return {item["nik"]["S"]: item for item in items if item["sk"]["S"] == "WORKER"}


def test_each_worker_has_one_item_with_every_period_and_the_latest_number(aws: Stack, ingestor: Ingestor) -> None:
    people = samples.workers(4)
    people[2] = dataclasses.replace(people[2], phone="0812-3456-7890 / 0852-7777-8888")  # a family phone and own
    bucket = aws.physical("UploadBucket")

    def listed(key: str, who: list[samples.Worker], when: str) -> None:
        data = samples.write_csv(who)
        version = boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data)["VersionId"]
        outcome = ingestor.process(Upload(bucket=bucket, key=key, version_id=version, size=len(data), event_time=when))
        assert outcome.error is None and outcome.counts["accepted"] == len(who)
        # covers and workers' items in one stream: at most two items a row, under 0.1 requests a row
        assert outcome.write_requests <= max(1, 2 * len(who) / 25)

    listed("incoming/pekerja-rentan/a.csv", people, "2025-01-05T03:00:00Z")
    renewed = [dataclasses.replace(p, program="pekerja-sawit", tmt="01-06-2025",
                                   phone="0813-1111-2222" if i == 0 else "") for i, p in enumerate(people[:2])]
    listed("incoming/pekerja-sawit/b.csv", renewed, "2025-05-20T03:00:00Z")
    older = [dataclasses.replace(people[1], phone="0813-9999-0000")]
    listed("incoming/pekerja-rentan/old.csv", older, "2025-01-01T03:00:00Z")  # an older list, stored late

    workers = _worker_items(aws)
    assert len(workers) == 4
    first, second = workers[people[0].nik], workers[people[1].nik]
    assert [c["S"].split("#")[0] for c in first["covers"]["L"]] == ["pekerja-rentan", "pekerja-sawit"]
    assert first["phone"]["S"] == "+6281311112222"  # the latest list's number
    assert second["phone"]["S"] != "+6281399990000"  # a list older than the contact's does not replace it
    assert second["phone_listed_at"]["S"] == "2025-01-05T03:00:00Z"  # b.csv gave no number: it erased none
    assert len(second["covers"]["L"]) == 2  # the same (program, TMT) again is one period
    assert len(workers[people[2].nik]["covers"]["L"]) == 1
    assert (workers[people[2].nik]["phone"]["S"], workers[people[2].nik]["phone_fallback"]["S"]) == (
        "+6281234567890", "+6285277778888")


def _listed(aws: Stack, ingestor: Ingestor, key: str, who: list[samples.Worker]) -> dict[str, Any]:
    outcome = ingestor.process(_put(aws, key, samples.write_csv(who)))
    assert outcome.error is None and outcome.counts["accepted"] == len(who)
    return _report(aws, outcome.report_key)


def test_covers_at_other_tmts_are_found_from_each_workers_own_item(aws: Stack, ingestor: Ingestor) -> None:
    """Neither this list's TMT nor the default one: a cover of the other program from 15-02 and one of the
    same program from another list from 10-03 are both found, each with the list that gave it; a cover
    that ended before this list's starts is not."""
    people = samples.workers(6)
    sawit = [dataclasses.replace(p, program="pekerja-sawit", tmt="15-02-2025") for p in people[:3]]
    _listed(aws, ingestor, "incoming/pekerja-sawit/sawit.csv", sawit)
    _listed(aws, ingestor, "incoming/pekerja-rentan/lama.csv",
            [dataclasses.replace(p, tmt="10-03-2025") for p in people[3:5]])
    _listed(aws, ingestor, "incoming/pekerja-rentan/tahun lalu.csv",
            [dataclasses.replace(people[5], tmt="01-01-2024")])  # ended 31-05-2024
    calls: list[int] = []
    ingestor.dynamodb.meta.events.register(
        "provide-client-params.dynamodb.BatchGetItem",
        lambda params, **_: calls.append(sum(len(r["Keys"]) for r in params["RequestItems"].values())))
    report = _listed(aws, ingestor, KEY, [dataclasses.replace(p, tmt="01-04-2025") for p in people])
    by_nik = {c["nik"]: c for c in report["already_covered"]}
    assert sorted(by_nik) == sorted(p.nik for p in people[:5])
    assert {by_nik[p.nik]["source_key"] for p in people[:3]} == {"incoming/pekerja-sawit/sawit.csv"}
    assert {by_nik[p.nik]["program"] for p in people[:3]} == {"pekerja-sawit"}
    assert {by_nik[p.nik]["coverage_start"] for p in people[:3]} == {"2025-02-15"}
    assert {by_nik[p.nik]["source_key"] for p in people[3:5]} == {"incoming/pekerja-rentan/lama.csv"}
    assert {by_nik[p.nik]["coverage_start"] for p in people[3:5]} == {"2025-03-10"}
    assert report["already_covered_guessed"] == 0
    assert calls == [6, 5, 6], ("the six workers' items, then the five overlapping covers, then the six items "
                                "again under the workers' lock, to merge into: one request each")


def test_a_cover_of_this_very_upload_is_not_reported(aws: Stack, ingestor: Ingestor) -> None:
    """Stored again after its record was lost (a retry after a partial store): its own covers, now in the
    workers' items, are read and left out."""
    people = samples.workers(5)
    assert _listed(aws, ingestor, KEY, people)["already_covered"] == []
    for record in _records(aws):
        boto3.client("dynamodb").delete_item(TableName=aws.physical("IdempotencyTable"), Key={"id": record["id"]})
    again = _listed(aws, ingestor, KEY, people)
    assert again["already_covered"] == [] and again["already_covered_guessed"] == 0


def test_a_worker_without_an_item_of_its_own_is_looked_up_at_the_guessed_tmts(
    aws: Stack, ingestor: Ingestor
) -> None:
    """Workers stored before workers had items: the same TMT and the default one are still read (and
    counted as guessed, for the page to say so); a cover at another TMT is left to the rekap."""
    people = samples.workers(4)
    _listed(aws, ingestor, "incoming/pekerja-rentan/a.csv", [dataclasses.replace(p, tmt="01-04-2025")
                                                             for p in people[:2]])
    _listed(aws, ingestor, "incoming/pekerja-sawit/b.csv", [dataclasses.replace(p, program="pekerja-sawit",
                                                                                tmt="15-02-2025")
                                                            for p in people[2:]])
    client, table = boto3.client("dynamodb"), aws.physical("WorkersTable")
    for nik in _worker_items(aws):
        client.delete_item(TableName=table, Key={"pk": {"S": f"WORKER#{nik}"}, "sk": {"S": "WORKER"}})
    report = _listed(aws, ingestor, KEY, [dataclasses.replace(p, tmt="01-04-2025") for p in people])
    assert sorted(c["nik"] for c in report["already_covered"]) == sorted(p.nik for p in people[:2])
    assert {c["source_key"] for c in report["already_covered"]} == {"incoming/pekerja-rentan/a.csv"}
    assert report["already_covered_guessed"] == 4
    page = boto3.client("s3").get_object(Bucket=aws.physical("UploadBucket"),
                                         Key="reports/pekerja-rentan/daftar.csv.html")["Body"].read().decode()
    assert 'id="earlier-guessed"' in page and "4 pekerja" in page
