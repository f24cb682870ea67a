"""The local pipeline, run once for every end-to-end test: the demo, with every AWS call recorded and
everything the process wrote meanwhile (stdout, stderr, log records, warnings) kept."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lindungi_dev import demo
from lindungi_dev.emulator import server
from lindungi_dev.emulator.template import Stack, load_template
from lindungi_dev.grants import CallRecorder

RENTAN, SAWIT = 400, 80  # enough rows for the planted faults; the reminder days dominate the run time
MAX_SMS_PER_RUN = round(3000 * (RENTAN + SAWIT) / 8504)  # the template's ceiling, scaled to the sample


@contextlib.contextmanager
def process_output(path: Path) -> Iterator[None]:
    """Everything this process writes in the block, appended to ``path``, as Lambda would send it to CloudWatch.

    Both ways out are caught: Python's ``sys.stdout``/``sys.stderr`` (which pytest replaces with its own
    capture, so a test's ``capfd`` never sees a session fixture's output) and file descriptors 1 and 2
    themselves (C code, child processes). Log records of any logger at WARNING and above (Lambda's own root
    handler and level) and warnings go there too. What the demo sends elsewhere on purpose (the functions'
    stdout, into logs.jsonl) is not here: the tests read that file as well.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    root = logging.getLogger()
    with path.open("ab", buffering=0) as raw, path.open("a", encoding="utf-8", errors="backslashreplace",
                                                          buffering=1) as text:
        handler = logging.StreamHandler(text)
        handler.setLevel(logging.WARNING)
        os.dup2(raw.fileno(), 1)
        os.dup2(raw.fileno(), 2)
        root.addHandler(handler)
        try:
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(text), \
                    contextlib.redirect_stderr(text):
                yield
            for warning in caught:
                text.write(warnings.formatwarning(warning.message, warning.category, warning.filename,
                                                  warning.lineno, warning.line))
        finally:
            root.removeHandler(handler)
            text.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


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
