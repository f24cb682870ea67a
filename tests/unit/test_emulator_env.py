"""The emulator's environment for concurrent invocations: the value from before comes back, always."""

from __future__ import annotations

import os
import threading

import pytest

from lindungi_dev.emulator.lambdas import environment

VAR = "LINDUNGI_TEST_VAR"
WAIT = 10  # seconds; only reached if the other thread is stuck


@pytest.mark.parametrize("first_leaves_first", [False, True], ids=["nested", "interleaved"])
def test_overlapping_users_restore_the_original_value(monkeypatch: pytest.MonkeyPatch,
                                                      first_leaves_first: bool) -> None:
    """Two invocations overlap for real: the second enters while the first is inside, and then either the
    second leaves first (nested) or the first does (interleaved, where a plain save-and-restore leaks)."""
    monkeypatch.delenv(VAR, raising=False)
    first_inside, may_leave, first_left = threading.Event(), threading.Event(), threading.Event()
    waited: list[bool] = []

    def first() -> None:
        with environment({VAR: "first"}):
            first_inside.set()
            waited.append(may_leave.wait(WAIT))
        first_left.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_inside.wait(WAIT), "the first invocation never got inside"
    with environment({VAR: "second"}):
        assert os.environ[VAR] == "second"
        assert not first_left.is_set()  # both are inside at once
        if first_leaves_first:
            may_leave.set()
            assert first_left.wait(WAIT)
            assert os.environ.get(VAR) == "second"  # the first leaving takes nothing from under the second
    if not first_leaves_first:
        assert not first_left.is_set() and VAR in os.environ  # the first is still inside: nothing restored yet
        may_leave.set()
    thread.join(WAIT)
    assert not thread.is_alive() and waited == [True]
    assert VAR not in os.environ  # the last one out restored the original: neither "first" nor "second" leaked


def test_none_unsets_for_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "kept")
    with environment({VAR: None}):
        assert VAR not in os.environ
    assert os.environ[VAR] == "kept"
