"""The local pipeline, run once for every end-to-end test: the demo, with every AWS call recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lindungi_dev import demo, emulator
from lindungi_dev.emulator import Stack, load_template
from lindungi_dev.grants import CallRecorder

RENTAN, SAWIT = 400, 80  # enough rows for the planted faults; the reminder days dominate the run time
MAX_SMS_PER_RUN = 40


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("pipeline")
    recorder = CallRecorder(Stack(load_template()))
    provision = emulator.provision

    def provision_and_remember(*args: Any, **kwargs: Any) -> Stack:
        recorder.stack = provision(*args, **kwargs)
        return recorder.stack

    mp = pytest.MonkeyPatch()
    mp.setattr(emulator, "provision", provision_and_remember)
    try:
        with recorder.recording():
            summary = demo.run(rentan=RENTAN, sawit=SAWIT, reminders=True, quiet=True, out=out,
                               max_sms_per_run=MAX_SMS_PER_RUN)
    finally:
        mp.undo()
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.report.json")]
    return {"summary": summary, "logs": Path(summary["logs"]).read_text(encoding="utf-8"), "reports": reports,
            "recorder": recorder}
