"""Run a parser in a child process whose death is the file's failure, not ingestion's.

A Rust allocation failure (calamine) aborts the whole process and pdfminer can loop forever on a
page tree that references itself: neither can be caught in Python. ``run`` forks a child that sets
``RLIMIT_AS`` on itself and does the work; the parent waits at most ``seconds``. The child's
answer comes back through a pipe. If it dies (killed, out of memory, aborted) the parent raises
``file_too_large``; if it does not answer in time, the parent kills it and raises ``file_unreadable``.
Only where no process can be started at all (no fork, or a sandbox refusing it) is the work done
in this process, without that protection (Lambda forks).
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Generic, TypeVar

from lindungi.intake.readers.base import FileFailure
from lindungi.outcomes import FileError

T = TypeVar("T")


@dataclass(frozen=True)
class Failed:
    """What a child sends back when its work raised: the file's failure, ready to re-raise."""

    code: FileError
    detail: str


@dataclass(frozen=True)
class _Done(Generic[T]):
    value: T


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def address_space() -> int:
    """This process's virtual size (``VmSize``): the child starts with the same, then may grow by its budget."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(extra_bytes: int) -> None:
    """In a child: the address space may grow by ``extra_bytes`` and no further (allocations fail past it)."""
    current = address_space()
    if current and extra_bytes > 0:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (current + extra_bytes, current + extra_bytes))


def failure(error: BaseException) -> Failed:
    """The report-worthy form of an exception raised by parsing a file."""
    if isinstance(error, FileFailure):
        return Failed(error.code, error.detail)
    if isinstance(error, MemoryError):
        return Failed(FileError.TOO_LARGE, "out of memory while reading")
    return Failed(FileError.UNREADABLE, type(error).__name__)


def _child(work: Callable[[], object], extra_bytes: int, conn: Connection) -> None:
    faulthandler.disable()  # a death here is expected and reported by the parent: no traceback dump
    limit_memory(extra_bytes)
    try:
        result: object = _Done(work())
    except Exception as error:  # noqa: BLE001 - whatever the parser raised is the file's failure
        result = failure(error)
    with contextlib.suppress(OSError):
        conn.send(result)
    conn.close()


def stop(process: multiprocessing.process.BaseProcess) -> None:
    """End a child for good: it is ours, started by this module or a reader."""
    if process.is_alive():
        process.kill()
    process.join(timeout=2)


def died(process: multiprocessing.process.BaseProcess, what: str) -> FileFailure:
    process.join(timeout=2)
    return FileFailure(FileError.TOO_LARGE, f"{what}: the reader ran out of memory (exit {process.exitcode})")


def timed_out(what: str, seconds: float) -> FileFailure:
    return FileFailure(FileError.UNREADABLE, f"{what}: no result within the time budget ({seconds:.1f} s)")


def run(work: Callable[[], T], *, what: str, extra_bytes: int, seconds: float) -> T:
    """``work()``'s result, computed in a child process under the memory and time budget given."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(work, extra_bytes, sender), daemon=True)
    started = time.monotonic()
    try:
        process.start()
    except OSError:  # no process may be started here (a sandbox): do the work here, unprotected
        receiver.close()
        sender.close()
        return work()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise timed_out(what, time.monotonic() - started)
        try:
            message = receiver.recv()
        except (EOFError, OSError):
            raise died(process, what) from None
    finally:
        receiver.close()
        stop(process)
    if isinstance(message, Failed):
        raise FileFailure(message.code, message.detail)
    assert isinstance(message, _Done)
    return message.value
