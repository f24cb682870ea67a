"""Fixtures shared by the integration tests."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from lindungi_dev.emulator.template import Stack
from tests.builders import Env


@pytest.fixture
def serialised_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """One request at a time into in-process moto, whose backends are not thread-safe (a transaction
    deep-copies the tables): concurrent callers then interleave request by request, as against AWS."""
    lock = threading.Lock()
    handle = BotocoreStubber.__call__

    def serialised(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return handle(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", serialised)


@pytest.fixture
def env(aws: Stack) -> Env:
    """The reminder pieces (planner, sender, tables, queue) wired to moto's stack."""
    return Env(aws)
