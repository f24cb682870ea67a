"""The emulator's functions log where Lambda would send it: the stdout of each invocation, not a stale stream."""

from __future__ import annotations

import contextlib
import io
import json

from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import ROOT, Stack


def test_each_invocation_logs_to_the_stdout_of_its_moment(aws: Stack, lambdas: LambdaRunner) -> None:
    event = json.loads((ROOT / "events" / "planner-schedule.json").read_text())
    streams = []
    for _ in range(2):
        stream = io.StringIO()
        with contextlib.redirect_stdout(stream):
            lambdas.invoke("PlannerFunction", event)
        streams.append(stream.getvalue())
    # The second run's lines are in the second stream, not in the stream the logger was first set up with.
    for text in streams:
        lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert any(line.get("service") == "planner" and line.get("level") == "INFO" for line in lines), text[:500]
    first_ids = {json.loads(line).get("function_request_id") for line in streams[0].splitlines()
                 if line.startswith('{"level"')}
    second_ids = {json.loads(line).get("function_request_id") for line in streams[1].splitlines()
                  if line.startswith('{"level"')}
    assert first_ids and second_ids and not first_ids & second_ids
