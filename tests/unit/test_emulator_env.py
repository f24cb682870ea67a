"""The emulator's environment for concurrent invocations: the value from before comes back, always."""

from __future__ import annotations

import os
import threading

import pytest

from lindungi_dev.emulator import environment


def test_overlapping_users_restore_the_original_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINDUNGI_TEST_VAR", raising=False)
    first_inside, second_done = threading.Event(), threading.Event()

    def first() -> None:
        with environment({"LINDUNGI_TEST_VAR": "first"}):
            first_inside.set()
            second_done.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    first_inside.wait(5)
    with environment({"LINDUNGI_TEST_VAR": "second"}):
        assert os.environ["LINDUNGI_TEST_VAR"] == "second"
    second_done.set()
    thread.join(5)
    assert "LINDUNGI_TEST_VAR" not in os.environ  # neither "first" nor "second" leaked


def test_none_unsets_for_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINDUNGI_TEST_VAR", "kept")
    with environment({"LINDUNGI_TEST_VAR": None}):
        assert "LINDUNGI_TEST_VAR" not in os.environ
    assert os.environ["LINDUNGI_TEST_VAR"] == "kept"
