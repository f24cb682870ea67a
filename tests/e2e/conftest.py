"""The local pipeline, run once for every end-to-end test: the demo, with every AWS call recorded and
everything the process wrote meanwhile (stdout, stderr, log records, warnings) kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lindungi_dev import demo
from lindungi_dev.emulator import server
from lindungi_dev.emulator.template import Stack, load_template
from lindungi_dev.grants import CallRecorder
from tests.builders import MAX_SMS_PER_RUN, RENTAN, SAWIT, process_output


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("pipeline")
    recorder = CallRecorder(Stack(load_template()))
    provision = server.provision

    def provision_and_remember(*args: Any, **kwargs: Any) -> Stack:
        recorder.stack = provision(*args, **kwargs)
        return recorder.stack

    mp = pytest.MonkeyPatch()
    mp.setattr(server, "provision", provision_and_remember)
    output = out / "process-output.txt"
    try:
        with process_output(output), recorder.recording():
            summary = demo.run(rentan=RENTAN, sawit=SAWIT, reminders=True, quiet=True, out=out,
                               max_sms_per_run=MAX_SMS_PER_RUN)
    finally:
        mp.undo()
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.report.json")]
    return {"summary": summary, "logs": Path(summary["logs"]).read_text(encoding="utf-8"), "reports": reports,
            "recorder": recorder, "output": output.read_text(encoding="utf-8", errors="backslashreplace")}
