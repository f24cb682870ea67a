"""The local main job end to end: emulator from template.yaml, upload, parse, store, report, remind, SMS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.builders import MAX_SMS_PER_RUN, RENTAN, SAWIT

pytestmark = pytest.mark.e2e


def test_both_lists_are_ingested_with_their_faults(pipeline: dict[str, Any]) -> None:
    files = {f["program"]: f for f in pipeline["summary"]["files"]}
    assert set(files) == {"pekerja-rentan", "pekerja-sawit"}
    assert all(f["error"] is None for f in files.values())
    assert (files["pekerja-rentan"]["rows_read"], files["pekerja-sawit"]["rows_read"]) == (RENTAN, SAWIT)
    rentan = files["pekerja-rentan"]
    assert rentan["accepted"] + rentan["rejected"] == RENTAN
    # samples.plant_faults: a fault every 97th row, cycling nik_invalid, nik_missing, name_missing, phone_missing;
    # the demo also types the first two NIKs into number cells, where Excel cuts them.
    assert rentan["rejected_by_reason"] == {"nik_invalid": 1, "nik_missing": 1, "name_missing": 1,
                                            "nik_precision_lost": 2}
    assert rentan["warnings_by_code"] == {"phone_missing": 1}
    assert pipeline["summary"]["files"][1]["key"].endswith(".pdf")  # the palm-oil list arrives as a PDF
    assert all(f["report_key"].startswith("reports/") for f in files.values())


def test_reports_are_kept_locally_for_a_look(pipeline: dict[str, Any]) -> None:
    logs = Path(pipeline["summary"]["logs"])
    assert logs.exists() and logs.stat().st_size > 0
    assert len(pipeline["reports"]) == 2


def test_reminders_go_out_within_the_ceiling(pipeline: dict[str, Any]) -> None:
    reminders = pipeline["summary"]["reminders"]
    assert reminders["sent"] > 0 and reminders["sample_texts"]
    assert reminders["outcomes"].get("opted_out", 0) >= 1  # the demo's staff opt-out list
    assert all(day["planned"] <= MAX_SMS_PER_RUN for day in reminders["per_day"])
    # One SMS per notice that went out, plus one more for each temporary carrier failure already re-sent.
    resent = reminders["carrier_retried"] - reminders["outcomes"].get("planned", 0)
    assert reminders["sms_published"] == reminders["sent"] + resent


def test_every_due_reminder_reaches_an_outcome_before_its_cover_ends(pipeline: dict[str, Any]) -> None:
    """Under the template's ceiling (scaled to the sample), every stage of every accepted cover is settled."""
    reminders = pipeline["summary"]["reminders"]
    outcomes = reminders["outcomes"]
    due = sum(stage["due"] for stage in reminders["by_stage"].values())
    assert sum(outcomes.values()) == due
    assert outcomes.get("expired", 0) == 0
    assert not {"planned", "sending", "failed"} & set(outcomes), outcomes
    assert any(day["ceiling_reached"] for day in reminders["per_day"])  # the ceiling did bite
    for stage, row in reminders["by_stage"].items():  # the summary's columns add up, stage by stage
        settled = ("sent", "dead_number", "opted_out", "no_phone", "expired", "other")
        assert row["due"] == sum(row[c] for c in settled), stage
        assert row["sent"] == row["delivered"] + row["undelivered"] and row["other"] == 0, stage


def test_the_carriers_answers_are_recorded(pipeline: dict[str, Any]) -> None:
    """lindungi_dev.emulator.carrier: numbers ending 0 fail permanently, 88 for an unknown reason, 9 temporarily."""
    outcomes = pipeline["summary"]["reminders"]["outcomes"]
    assert outcomes.get("delivered", 0) > outcomes.get("carrier_failed", 0) > 0
    assert outcomes.get("sent", 0) == 0  # every SMS got its answer
    assert pipeline["summary"]["reminders"]["carrier_retried"] > 0


def test_the_demo_ends_with_the_staff_pages_and_their_screenshots(pipeline: dict[str, Any]) -> None:
    pages = pipeline["summary"]["pages"]
    assert len(pages["pages"]) == 3, "both sample lists and the branch's self-payers"
    for page in [*pages["pages"], pages["rekap_page"]]:
        assert Path(page).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    rekap = pages["rekap"]
    assert rekap["renewed"] > 0 and rekap["ended"] > rekap["renewed"], "a third of the ended covers renewed"
    from lindungi_dev import browser

    if browser.chromium() is not None:
        assert len(pages["screenshots"]) == 2 * 4 and all(Path(s).stat().st_size > 0 for s in pages["screenshots"])
