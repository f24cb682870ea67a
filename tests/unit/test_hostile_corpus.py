"""The hostile corpus (files that once killed, hung or silenced ingestion) through ``python -m lindungi check``.

A process per case, so that what once killed ingestion (a Rust allocation abort, exit 134) or hung it
(a page tree referencing itself) shows here as a death or a timeout, not as a crashed test run. Each
case must end in a report with its expected code, within the ingest function's memory and timeout as
template.yaml configures them. The same cases run through the ingest handler in
tests/integration/test_hostile_ingest.py; ``make bench`` prints their figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from lindungi.intake.check import check
from lindungi.outcomes import FileError, message
from lindungi_dev.bench.hostile import measure
from lindungi_dev.emulator.template import Stack, load_template
from lindungi_dev.samples.hostile import CASES, PROGRAM, Case

pytestmark = pytest.mark.hostile


class IngestLimits(NamedTuple):
    memory_mb: int
    timeout_s: int
    parameter_mb: int
    """The template's IngestMemoryMB parameter, which MemorySize refers to."""


@pytest.fixture(scope="module")
def limits() -> IngestLimits:
    """The ingest function's memory and timeout, read from template.yaml once for this module when a test asks:
    reading the template imports cfn-lint (seconds), which a run that deselects these cases need not pay."""
    stack = Stack(load_template())
    ingest = stack.function_properties("IngestFunction")
    return IngestLimits(int(stack.resolve(ingest["MemorySize"])), int(stack.resolve(ingest["Timeout"])),
                        int(stack.parameter("IngestMemoryMB")))


def test_the_limits_come_from_the_template(limits: IngestLimits) -> None:
    assert (limits.parameter_mb, 900) == (limits.memory_mb, limits.timeout_s)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_ends_in_a_report_within_the_lambda_limits(case: Case, tmp_path: Path,
                                                                limits: IngestLimits) -> None:
    measured = measure(case, tmp_path, timeout=limits.timeout_s)
    assert measured.report is not None, f"no report: exit {measured.exit_code} after {measured.seconds:.1f} s"
    assert measured.exit_code == (0 if case.error is None else 1)  # not 134 (abort), not -9 (killed)
    assert measured.error == case.error
    if case.error is not None:
        error = measured.report["error"]
        assert error["message"] == message(FileError(case.error))  # the Indonesian sentence staff read
        assert measured.report["rows_read"] == 0 and not measured.report["accepted"]  # nothing half-read
    assert measured.peak_mb < limits.memory_mb
    assert measured.seconds < limits.timeout_s


@pytest.mark.parametrize("case", [c for c in CASES if c.detail], ids=[c.name for c in CASES if c.detail])
def test_the_report_says_which_budget_was_over(case: Case) -> None:
    report = check(case.make(), case.filename, PROGRAM)
    assert report.error == case.error
    assert case.detail in report.error_detail
