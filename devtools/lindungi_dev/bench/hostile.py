"""The hostile corpus (``lindungi_dev.samples.hostile``) through ``python -m lindungi check``, one subprocess a case.

    python -m lindungi_dev.bench hostile     every case: time, peak memory, exit status, error code

A case runs in a fresh process, so that a death (a Rust abort is exit 134, or -6) shows as such, and
its peak memory is that process's and its workers' (``wait4`` gives the largest resident set among the
process and the children it waited for). The tests (tests/unit/test_hostile_corpus.py) use ``measure`` too
and assert each figure against the ingest function's memory and timeout in template.yaml.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lindungi_dev.samples.hostile import CASES, PROGRAM, Case


@dataclass(frozen=True)
class Measured:
    case: Case
    size: int
    exit_code: int
    seconds: float
    peak_mb: float
    report: dict[str, Any] | None
    """The report ``check --json`` printed, or None when the process printed none (it died or hung)."""

    @property
    def error(self) -> str | None:
        error = (self.report or {}).get("error")
        return error.get("code") if isinstance(error, dict) else None

    @property
    def as_expected(self) -> bool:
        return self.report is not None and self.exit_code in (0, 1) and self.error == self.case.error

    def record(self) -> dict[str, Any]:
        return {
            "case": self.case.name, "file KB": round(self.size / 1024, 1), "seconds": round(self.seconds, 2),
            "peak MB": round(self.peak_mb, 1), "exit": self.exit_code, "error": self.error or "-",
            "expected": self.case.error or "-", "ok": "yes" if self.as_expected else "NO",
        }


# Started from a small launcher: on Linux a process's peak resident set starts at that of the process
# it was forked from (kept across exec), so a check forked straight from this one would report our peak.
_LAUNCHER = """
import os, subprocess, sys, time
started = time.monotonic()
child = subprocess.Popen(sys.argv[2:], stdout=open(sys.argv[1], "wb"), stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
child.returncode = 0
print(os.waitstatus_to_exitcode(status), time.monotonic() - started, usage.ru_maxrss)
"""


def measure(case: Case, directory: Path, timeout: float = 900.0) -> Measured:
    """Write the case's file into ``directory`` and check it in a subprocess, killed after ``timeout``."""
    data = case.make()
    path = directory / f"{case.name}{Path(case.filename).suffix}"
    path.write_bytes(data)
    output = directory / f"{case.name}.json"
    command = [sys.executable, "-m", "lindungi", "check", str(path), "--program", PROGRAM, "--json"]
    try:
        launched = subprocess.run([sys.executable, "-c", _LAUNCHER, str(output), *command],
                                  capture_output=True, text=True, timeout=timeout, check=True)
        exit_code, seconds, peak = launched.stdout.split()
    except subprocess.TimeoutExpired:
        return Measured(case, len(data), -9, timeout, 0.0, None)
    try:
        report = json.loads(output.read_bytes())
    except ValueError:
        report = None
    peak_kb = int(peak) // (1024 if sys.platform == "darwin" else 1)
    return Measured(case, len(data), int(exit_code), float(seconds), peak_kb / 1024, report)


def run(quick: bool = False) -> list[dict[str, Any]]:
    del quick  # every case is small: the quick pass runs them all too
    with tempfile.TemporaryDirectory(prefix="lindungi-hostile-") as directory:
        return [measure(case, Path(directory)).record() for case in CASES]


def main(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(prog="python -m lindungi_dev.bench hostile", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    records = run()
    head = list(records[0])
    widths = [max(len(h), *(len(str(r[h])) for r in records)) for h in head]
    print("Hostile corpus through `python -m lindungi check` (one process a case)")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for record in records:
        print("  ".join(str(record[h]).ljust(w) for h, w in zip(head, widths, strict=True)))
    return 0 if all(r["ok"] == "yes" for r in records) else 1

