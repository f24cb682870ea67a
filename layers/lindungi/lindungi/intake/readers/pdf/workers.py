"""Opening the document and dealing out its pages to worker processes, read back in page order.

``multiprocessing.Process`` + ``Pipe`` are the only primitives that work without ``/dev/shm``
on Lambda. Pages are dealt out in turn; with one CPU, a small file, or when no process can be
started, everything runs in this process; a worker that dies is replaced by this process for
the remaining pages.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import resolve1
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import PdfminerException

from lindungi.intake.readers.base import FileFailure
from lindungi.intake.readers.pdf import glyphs
from lindungi.intake.readers.pdf.page import PageText
from lindungi.outcomes import FileError
from lindungi.settings import PdfSettings

MIN_PAGES_FOR_WORKERS = 4
"""Below this, starting processes costs more than it saves."""
WORKERS_ENV = "PDF_WORKERS"
"""Overrides the number of worker processes (1 = read in this process); default: the CPUs available."""


@dataclass(frozen=True, slots=True)
class Failed:
    """A worker's report that the file cannot be read (sent instead of a page)."""

    code: FileError
    detail: str


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


def page_count(pdf: PDF) -> int:
    try:
        pages = resolve1(pdf.doc.catalog["Pages"])
        return int(resolve1(pages["Count"]))
    except Exception:  # noqa: BLE001 - a damaged page tree: count the pages the slow way
        return sum(1 for _ in PDFPage.create_pages(pdf.doc))


def _pages(pdf: PDF, index: int = 0, step: int = 1, first: int = 1) -> Iterator[PageText]:
    """Pages from ``first`` on whose (number - 1) % step == index, one at a time.

    Each page is taken from the page tree as it comes and dropped after use: ``pdf.pages``
    would build a pdfplumber ``Page`` for every page up front and keep them all.
    """
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        if number < first or (number - 1) % step != index:
            continue
        yield glyphs.extract_page(pdf, page_obj, number)


def _worker(data: bytes, index: int, step: int, conn: Connection) -> None:
    """In a child process: interpret every ``step``-th page and send it back, in order."""
    try:
        pdf = open_document(data)
        try:
            for page in _pages(pdf, index, step):
                conn.send(page)
        finally:
            pdf.close()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the reader stopped early (a failure elsewhere): nobody is listening any more
    except FileFailure as failure:
        _send_quietly(conn, Failed(failure.code, failure.detail))
    except Exception as error:  # noqa: BLE001 - a broken page is the file's fault, reported as such
        _send_quietly(conn, Failed(FileError.UNREADABLE, type(error).__name__))
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


def _in_process(data: bytes, first: int) -> Iterator[PageText]:
    pdf = open_document(data)
    try:
        yield from _pages(pdf, first=first)
    except PdfminerException as error:
        raise FileFailure(FileError.UNREADABLE, type(error.args[0] if error.args else error).__name__) from error
    finally:
        pdf.close()


def page_texts(data: bytes, total: int, workers: int) -> Iterator[PageText]:
    """Every page's text in page order, from ``workers`` child processes or from this one."""
    if workers < 2 or total < MIN_PAGES_FOR_WORKERS or "fork" not in multiprocessing.get_all_start_methods():
        yield from _in_process(data, 1)
        return
    processes: list[multiprocessing.process.BaseProcess] = []
    receivers: list[Connection] = []
    try:
        try:
            _start(data, workers, processes, receivers)
        except OSError:  # no processes allowed here: read in this process instead
            yield from _in_process(data, 1)
            return
        yield from _collect(data, total, receivers)
    finally:
        for receiver in receivers:
            receiver.close()
        for child in processes:
            child.join(timeout=0.5)
            if child.is_alive():
                child.terminate()
                child.join(timeout=1)


def _start(
    data: bytes, workers: int, processes: list[multiprocessing.process.BaseProcess], receivers: list[Connection]
) -> None:
    """Fork ``workers`` children, each with the receiving end of its pipe kept here."""
    context = multiprocessing.get_context("fork")
    for index in range(workers):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_worker, args=(data, index, workers, sender), daemon=True)
        process.start()
        sender.close()
        processes.append(process)
        receivers.append(receiver)


def _collect(data: bytes, total: int, receivers: list[Connection]) -> Iterator[PageText]:
    """The workers' pages in page order; a dead worker's remaining pages are read here."""
    for number in range(1, total + 1):
        try:
            message = receivers[(number - 1) % len(receivers)].recv()
        except (EOFError, OSError):  # a worker died (killed, out of memory): finish the rest here
            yield from _in_process(data, number)
            return
        if isinstance(message, Failed):
            raise FileFailure(message.code, message.detail)
        yield message
