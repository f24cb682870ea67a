"""Opening the document and dealing out its pages to worker processes, read back in page order.

``multiprocessing.Process`` + ``Pipe`` are the only primitives that work without ``/dev/shm``
on Lambda. Pages are always interpreted in worker processes (one for a small file), never in
this one, so that a parser that loops or runs out of memory is stopped, not followed: the
parent waits for each page only until the deadline it was given (the Lambda's remaining time
minus a margin), each worker runs under ``RLIMIT_AS``, and a worker's death is the file's
``file_too_large``. Pages are counted as they arrive; the ``/Count`` a document declares is only
used to refuse a file early and to choose the number of workers, never trusted to stop reading.
Only where no process can be started (no fork, or a sandbox refusing it) is everything read in
this process, without that protection.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import multiprocessing
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFObjRef
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import PdfminerException

from lindungi.intake.readers import isolate
from lindungi.intake.readers.base import FileFailure
from lindungi.intake.readers.isolate import Failed
from lindungi.intake.readers.pdf import glyphs
from lindungi.intake.readers.pdf.page import PageText
from lindungi.outcomes import FileError
from lindungi.settings import PdfSettings

MIN_PAGES_FOR_WORKERS = 4
"""Below this, starting processes costs more than it saves."""
WORKERS_ENV = "PDF_WORKERS"
"""Overrides the number of worker processes (1 = read in this process); default: the CPUs available."""

MAX_REFERENCE_HOPS = 32
"""An indirect reference that leads to another this many times is a loop (``4 0 R`` -> ``4 0 R``)."""


@dataclass(frozen=True, slots=True)
class End:
    """A worker's last message: every page it was dealt has been sent."""

    pages: int


@dataclass(frozen=True)
class Budget:
    """What reading one PDF may spend: pages, each worker's added memory, and a deadline (``time.monotonic``)."""

    max_pages: int
    worker_bytes: int
    deadline: float

    def left(self) -> float:
        return self.deadline - time.monotonic()


def open_document(data: bytes) -> PDF:
    """The document, with pdfminer's object cache off: it would keep every page's decoded content
    stream until the end (+20 MB over 1,000 pages); fonts stay cached by the resource manager."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.doc.caching = False
        return pdf
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise FileFailure(FileError.ENCRYPTED, type(cause).__name__) from error
        raise FileFailure(FileError.UNREADABLE, type(cause).__name__) from error


def close_document(pdf: PDF) -> None:
    """Let go of the document. Not ``close_document(pdf)``: that builds a pdfplumber ``Page`` for every page in
    the tree first (all 1,500 of a long list, and forever on a page tree that loops)."""
    pdf.stream.close()


def resolve(value: Any) -> Any:
    """pdfminer's ``resolve1``, which loops forever on a reference to itself, with a bound on the hops."""
    for _ in range(MAX_REFERENCE_HOPS):
        if not isinstance(value, PDFObjRef):
            return value
        value = value.resolve()
    raise FileFailure(FileError.UNREADABLE, "page tree: indirect references loop")


def declared_pages(data: bytes) -> int | None:
    """The ``/Count`` the page tree declares (None when it has none that is a number): run in a child process."""
    pdf = open_document(data)
    try:
        pages = resolve(pdf.doc.catalog.get("Pages"))
        count = resolve(pages.get("Count")) if isinstance(pages, dict) else None
        return count if isinstance(count, int) and not isinstance(count, bool) else None
    finally:
        close_document(pdf)


def _pages(pdf: PDF, index: int = 0, step: int = 1, last: int | None = None) -> Iterator[PageText]:
    """Pages up to ``last`` whose (number - 1) % step == index, one at a time.

    Each page is taken from the page tree as it comes and dropped after use: ``pdf.pages``
    would build a pdfplumber ``Page`` for every page up front and keep them all.
    """
    resolve(pdf.doc.catalog.get("Pages"))  # pdfminer's own walk would loop forever on a looping reference
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        if last is not None and number > last:
            return
        if (number - 1) % step == index:
            yield glyphs.extract_page(pdf, page_obj, number)


def _worker(data: bytes, index: int, step: int, budget: Budget, conn: Connection) -> None:
    """In a child process: interpret every ``step``-th page and send it back, in order, then ``End``.

    One page past the limit is still sent, so that the parent sees the file has more pages than allowed.
    """
    isolate.limit_memory(budget.worker_bytes)
    try:
        pdf = open_document(data)
        try:
            sent = 0
            for page in _pages(pdf, index, step, last=budget.max_pages + 1):
                conn.send(page)
                sent += 1
            conn.send(End(sent))
        finally:
            close_document(pdf)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the reader stopped early (a failure elsewhere): nobody is listening any more
    except Exception as error:  # noqa: BLE001 - a broken page is the file's fault, reported as such
        _send_quietly(conn, isolate.failure(error))
    finally:
        conn.close()


def _send_quietly(conn: Connection, message: Failed) -> None:
    with contextlib.suppress(OSError):
        conn.send(message)


def worker_count() -> int:
    """Worker processes to use: ``PDF_WORKERS`` if set, else the CPUs this process may run on."""
    configured = PdfSettings.from_env().workers
    if configured > 0:
        return configured
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _in_process(data: bytes, max_pages: int) -> Iterator[PageText]:
    """Only where no process can be started: the pages read here, counted, unprotected against a hang."""
    pdf = open_document(data)
    try:
        for page in _pages(pdf, last=max_pages + 1):
            if page.number > max_pages:
                raise FileFailure(FileError.TOO_LARGE, f"over {max_pages} pages")
            yield page
    except PdfminerException as error:
        raise FileFailure(FileError.UNREADABLE, type(error.args[0] if error.args else error).__name__) from error
    finally:
        close_document(pdf)


def page_texts(data: bytes, workers: int, budget: Budget) -> Iterator[PageText]:
    """Every page's text in page order, from ``workers`` child processes, until the budget runs out."""
    if not isolate.available():
        yield from _in_process(data, budget.max_pages)
        return
    processes: list[multiprocessing.process.BaseProcess] = []
    receivers: list[Connection] = []
    try:
        try:
            _start(data, max(1, workers), budget, processes, receivers)
        except OSError:  # no process may be started here (a sandbox): read in this process instead
            yield from _in_process(data, budget.max_pages)
            return
        yield from _collect(receivers, processes, budget)
    finally:
        for receiver in receivers:
            receiver.close()
        for child in processes:
            isolate.stop(child)


def _start(
    data: bytes, workers: int, budget: Budget, processes: list[multiprocessing.process.BaseProcess],
    receivers: list[Connection],
) -> None:
    """Fork ``workers`` children, each with the receiving end of its pipe kept here."""
    context = multiprocessing.get_context("fork")
    for index in range(workers):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_worker, args=(data, index, workers, budget, sender), daemon=True)
        process.start()
        sender.close()
        processes.append(process)
        receivers.append(receiver)


def _collect(
    receivers: list[Connection], processes: list[multiprocessing.process.BaseProcess], budget: Budget
) -> Iterator[PageText]:
    """The workers' pages in page order, counted; ends at the first worker with nothing more to send."""
    for number in itertools.count(1):
        turn = (number - 1) % len(receivers)
        if not receivers[turn].poll(max(0.0, budget.left())):
            if number == 1:
                raise FileFailure(FileError.UNREADABLE, "no page within the time budget")
            raise FileFailure(FileError.TOO_LARGE, f"time budget spent after {number - 1} pages")
        try:
            message = receivers[turn].recv()
        except (EOFError, OSError):
            raise isolate.died(processes[turn], f"PDF page {number}") from None
        if isinstance(message, End):
            return
        if isinstance(message, Failed):
            raise FileFailure(message.code, message.detail)
        if number > budget.max_pages:
            raise FileFailure(FileError.TOO_LARGE, f"over {budget.max_pages} pages (counted)")
        yield message
