"""Where the report page is written: by the ingest function beside the JSON, and by ``check --html`` locally."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from lindungi.outcomes import FileError, message, say
from lindungi_dev import samples
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import Stack
from tests.builders import ingest_event, upload


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        pytest.param("Daftar Kec Barat.xlsx", None, "status warn", id="read-with-rejected-rows"),
        pytest.param("rusak.xlsx", b"PK\x03\x04" + bytes(100), "status bad", id="not-read"),
    ],
)
def test_ingest_writes_the_page_beside_the_json(aws: Stack, lambdas: LambdaRunner, name: str, data: bytes | None,
                                                status: str) -> None:
    key = f"incoming/pekerja-rentan/{name}"
    people, _ = samples.plant_faults(samples.workers(120, "pekerja-rentan"), every=40)
    body = data if data is not None else samples.write_xlsx(people, "pekerja-rentan")
    outcome = lambdas.invoke("IngestFunction", ingest_event(aws, key, upload(aws, key, body), len(body)))["files"][0]
    assert outcome["report_key"] == f"reports/pekerja-rentan/{name}.json", "the JSON contract is unchanged"
    page = boto3.client("s3").get_object(Bucket=aws.physical("UploadBucket"), Key=f"reports/pekerja-rentan/{name}.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    html = page["Body"].read().decode("utf-8")
    assert f'class="{status}"' in html
    if data is None:
        assert f'href="{name}.perbaikan.xlsx"' in html, "links the fix-up workbook beside it"
    else:
        assert message(FileError.UNREADABLE) in html and "perbaikan" not in html


def test_check_html_writes_the_page_and_the_workbook_beside_it(tmp_path: Path) -> None:
    people, _ = samples.plant_faults(samples.workers(100, "pekerja-rentan"), every=30)
    source = tmp_path / "daftar.xlsx"
    source.write_bytes(samples.write_xlsx(people, "pekerja-rentan"))
    out = tmp_path / "out" / "laporan.html"
    out.parent.mkdir()
    done = subprocess.run([sys.executable, "-m", "lindungi", "check", str(source), "--program", "pekerja-rentan",
                           "--html", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert say("report.title") in html and 'href="daftar.xlsx.perbaikan.xlsx"' in html
    assert (out.parent / "daftar.xlsx.perbaikan.xlsx").stat().st_size > 0
    assert "Dibaca" in done.stdout, "the text table is still printed"
