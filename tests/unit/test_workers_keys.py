"""The workers table's shared keys: a cover's key read back; the stages a program's ``remind_key``s name."""

from __future__ import annotations

import pytest

from lindungi.workers import coverage_names, coverage_sk, partitions_of, remind_key, worker_pk

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


@pytest.mark.parametrize(
    ("nik", "program", "start"),
    [
        pytest.param("6172014509850003", "pekerja-rentan", "2025-01-01", id="rentan"),
        pytest.param("6172014509850003", "bpu-mandiri", "2025-06-01", id="hyphenated-program"),
        pytest.param("0000000000000000", "pekerja-sawit", "2024-12-31", id="zeros"),
    ],
)
def test_a_covers_key_gives_back_what_it_was_made_of(nik: str, program: str, start: str) -> None:
    assert coverage_names(worker_pk(nik), coverage_sk(program, start)) == {
        "nik": nik, "program": program, "coverage_start": start}


@pytest.mark.parametrize("sk", ["WORKER", "UPLOAD#2025-01-01T00:00:00#k", "COVERAGE#pekerja-rentan"])
def test_a_key_that_is_no_covers_is_refused(sk: str) -> None:
    with pytest.raises(ValueError):
        coverage_names(worker_pk("6172014509850003"), sk)
