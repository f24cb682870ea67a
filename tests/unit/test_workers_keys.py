"""The workers table's shared keys: which stages a program's recorded ``remind_key``s name."""

from __future__ import annotations

import pytest

from lindungi.workers import partitions_of, remind_key

PROGRAM = "pekerja-rentan"


@pytest.mark.parametrize(
    ("keys", "program", "days"),
    [
        pytest.param([], PROGRAM, (), id="none"),
        pytest.param([f"{PROGRAM}#30"], PROGRAM, (30,), id="one"),
        pytest.param([f"{PROGRAM}#7", f"{PROGRAM}#30", "pekerja-sawit#9"], PROGRAM, (30, 7), id="two-distant-first"),
        pytest.param(["pekerja-sawit#14"], PROGRAM, (), id="another-program-only"),
        pytest.param([f"{PROGRAM}-lama#30"], PROGRAM, (), id="a-program-whose-id-starts-the-same"),
        pytest.param([f"{PROGRAM}#x", f"{PROGRAM}#"], PROGRAM, (), id="not-a-number-ignored"),
    ],
)
def test_partitions_of(keys: list[str], program: str, days: tuple[int, ...]) -> None:
    assert partitions_of(program, keys) == days



def test_a_remind_key_reads_back_as_its_stage() -> None:
    assert partitions_of(PROGRAM, [remind_key(PROGRAM, 45), remind_key("pekerja-sawit", 45)]) == (45,)
