"""The local main job end to end: emulator from template.yaml, upload, parse, store, report, remind, SMS."""

from __future__ import annotations

from pathlib import Path

import pytest

from lindungi_dev import demo

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return demo.run(rentan=400, sawit=80, reminders=True, quiet=True, out=tmp_path_factory.mktemp("demo"))


def test_both_lists_are_ingested_with_their_faults(summary: dict) -> None:
    files = {f["program"]: f for f in summary["files"]}
    assert set(files) == {"pekerja-rentan", "pekerja-sawit"}
    assert all(f["error"] is None for f in files.values())
    assert files["pekerja-rentan"]["rows_read"] == 400 and files["pekerja-sawit"]["rows_read"] == 80
    rentan = files["pekerja-rentan"]
    assert rentan["accepted"] + rentan["rejected"] == 400
    assert {"nik_invalid", "nik_missing", "name_missing"} <= set(rentan["rejected_by_reason"])
    assert {"phone_missing", "phone_not_mobile", "phone_multiple"} <= set(rentan["warnings_by_code"])
    assert all(f["report_key"].startswith("reports/") for f in files.values())


def test_reports_are_kept_locally_for_a_look(summary: dict) -> None:
    logs = Path(summary["logs"])
    assert logs.exists() and logs.stat().st_size > 0
    assert len(list(logs.parent.glob("*.report.json"))) == 2


def test_reminders_are_sent_once_per_stage(summary: dict) -> None:
    reminders = summary["reminders"]
    if reminders.get("status") == "not available yet":
        pytest.fail("the reminder pipeline is missing from the local main job")
    outcomes = reminders["outcomes"]
    assert outcomes.get("sent", 0) > 0
    assert reminders["sample_texts"]
