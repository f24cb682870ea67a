"""The outcome vocabulary: one value per code across every level, and a message and a label for each."""

from __future__ import annotations

from collections import Counter

import pytest

from lindungi.intake.check import check
from lindungi.outcomes import LABELS, MESSAGES, FileError, Reject, Skip, Warn, message

CODES = [*FileError, *Reject, *Warn]


def test_no_two_codes_share_a_value() -> None:
    # The reports and MESSAGES key on the value: two codes of one value would share one message.
    values = Counter(code.value for code in [*CODES, *Skip])
    assert [value for value, count in values.items() if count > 1] == []


@pytest.mark.parametrize("code", CODES, ids=str)
def test_every_code_has_its_own_message_and_label(code: FileError | Reject | Warn) -> None:
    assert code in MESSAGES and code in LABELS
    assert message(code).strip() and LABELS[code].strip()


def test_every_message_is_said_once() -> None:
    repeated = [text for text, count in Counter(MESSAGES.values()).items() if count > 1]
    assert repeated == []


def test_no_program_and_an_unknown_program_value_give_different_advice() -> None:
    no_program = check(b"NIK;Nama\n6172014509850003;SITI\n", "daftar.csv", None).to_dict()
    assert no_program["error"] == {"code": "program_unknown", "message": message(FileError.PROGRAM_UNKNOWN)}
    assert "folder" in message(FileError.PROGRAM_UNKNOWN)
    assert "kolom Program" in message(Reject.PROGRAM_INVALID)
    assert message(FileError.PROGRAM_UNKNOWN) != message(Reject.PROGRAM_INVALID)
