"""docs/domain.md is the contract: every code, reason, status and report key the code has is written there.

A new outcome code, notice status or report key fails here until the contract names it, so the two
cannot drift apart. Each value must appear in backticks, as the contract writes them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

from lindungi.intake.report import Report
from lindungi.outcomes import FileError, Reject, Skip, Warn
from lindungi.reminders.notices import Status

DOMAIN = Path(__file__).resolve().parents[2] / "docs" / "domain.md"
VOCABULARIES: tuple[type[StrEnum], ...] = (FileError, Reject, Warn, Skip, Status)


@pytest.fixture(scope="module")
def contract() -> frozenset[str]:
    """Every text the contract writes in backticks (a code, a status, a key)."""
    return frozenset(re.findall(r"`([^`\n]+)`", DOMAIN.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "value", [member for vocabulary in VOCABULARIES for member in vocabulary], ids=lambda member: repr(member)
)
def test_every_code_and_status_is_in_the_contract(contract: frozenset[str], value: StrEnum) -> None:
    assert value.value in contract, f"{value!r} is not in docs/domain.md"


def test_every_report_key_is_in_the_contract(contract: frozenset[str]) -> None:
    keys = [*Report(file="daftar.xlsx", program="pekerja-rentan").to_dict(), "source_key", "duplicate_of"]
    missing = [key for key in keys if key not in contract]
    assert not missing, f"report keys not in docs/domain.md: {missing}"
