"""What a file is, judged by its bytes (the name is only a hint), and whether it is safe to open.

Checks here are cheap and run before any parser: zip entries are
decompressed in a stream and counted, so a zip bomb stops at the limit
instead of filling memory; while an xlsx streams past, the real extent of
its sheets is measured (``extent``), so calamine never builds a grid over the
budget; OLE2 containers that hold an ``EncryptedPackage``
are password-protected Office files, and so are Excel 97-2003 workbooks whose
globals open with a ``FILEPASS`` record, and OpenDocument files whose manifest
lists ``encryption-data`` (calamine reports those two only as a file of no
known format).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum

from lindungi.intake.readers.base import FileFailure
from lindungi.intake.readers.extent import Extent, PartScan
from lindungi.outcomes import FileError
from lindungi.settings import Limits

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLS_GLOBALS_BOF = b"\x09\x08\x10\x00\x00\x06\x05\x00"  # BIFF8 BOF record (16 bytes) of the workbook globals
_FILEPASS = b"\x2f\x00"  # the record right after that BOF when the workbook needs a password to open
_CHUNK = 1 << 20


class Kind(StrEnum):
    XLSX = "xlsx"  # also .xlsm, .xlsb and LibreOffice .ods: calamine reads them all
    XLS = "xls"
    CSV = "csv"
    PDF = "pdf"


@dataclass(frozen=True)
class Examined:
    kind: Kind
    extent: Extent | None = None
    """For an xlsx (``xl/workbook.xml``): its sheets' measured extent; None for every other kind."""


def _check_zip(data: bytes, limits: Limits, extent: Extent | None) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise FileFailure(FileError.UNREADABLE, f"bad zip: {error}") from error
    if len(infos) > 10_000:
        raise FileFailure(FileError.TOO_LARGE, f"{len(infos)} zip entries")
    total = 0
    for info in infos:
        # Declared sizes can lie: count what actually comes out, and stop at the limit.
        scan = PartScan(info.filename) if extent is not None else None
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_unzipped_bytes:
                        raise FileFailure(FileError.TOO_LARGE, "unzipped content over the limit")
                    if scan is not None:
                        scan.feed(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as error:
            raise FileFailure(FileError.UNREADABLE, f"zip entry {info.filename}: {error}") from error
        except RuntimeError as error:  # "File is encrypted, password required"
            raise FileFailure(FileError.ENCRYPTED, str(error)) from error
        if scan is not None and extent is not None:
            scan.feed(b"", last=True)
            extent.parts.append(scan)


def _zip_kind(data: bytes) -> tuple[Kind, bool]:
    """The kind of a zip, and whether it is an xlsx (XML sheets, measurable while they stream)."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise FileFailure(FileError.UNREADABLE, f"bad zip: {error}") from error
    if "xl/workbook.xml" in names:
        return Kind.XLSX, True
    if "xl/workbook.bin" in names or ("content.xml" in names and "mimetype" in names):
        return Kind.XLSX, False
    raise FileFailure(FileError.UNSUPPORTED, "zip archive that is not a spreadsheet")


def _odf_encrypted(data: bytes) -> bool:
    """Called after ``_check_zip``: the manifest's size is known to be within the limits."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    if "mimetype" not in archive.namelist() or "META-INF/manifest.xml" not in archive.namelist():
        return False
    return b"encryption-data" in archive.read("META-INF/manifest.xml")


def _xls_encrypted(data: bytes) -> bool:
    at = data.find(_XLS_GLOBALS_BOF)
    while at >= 0:
        if data[at + 20 : at + 22] == _FILEPASS:
            return True
        at = data.find(_XLS_GLOBALS_BOF, at + 1)
    return False


def _as_text(head: bytes) -> str | None:
    """The first bytes decoded as a CSV may be saved (UTF-16 with its BOM, UTF-8, Windows-1252), or None.

    Judged by decoding, not by counting replacement characters: Windows-1252 names (é, Ñ, ç, ’) are
    not UTF-8 but are text. Line by line, as ``csvfile`` decodes: a UTF-8 list may carry one line
    pasted from a Windows file. A multi-byte character cut at the end of ``head`` is not a fault.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        pass
    out: list[str] = []
    for line in head.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data" and error.start >= len(line) - 3:
                out.append(line[: error.start].decode("utf-8", errors="replace"))
                continue
            try:
                out.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                return None  # a byte Windows-1252 does not define, in a line that is not UTF-8: binary
    return "".join(out)


def _looks_like_text(head: bytes) -> bool:
    sample = _as_text(head)
    if sample is None:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls <= max(2, len(sample) // 100)


def detect(data: bytes, limits: Limits) -> Kind:
    """The kind of file ``data`` is; raises ``FileFailure`` for what cannot or must not be read."""
    return examine(data, limits).kind


def examine(data: bytes, limits: Limits) -> Examined:
    """``detect``, and for an xlsx the extent of its sheets, checked against ``limits``."""
    if len(data) > limits.max_file_bytes:
        raise FileFailure(FileError.TOO_LARGE, f"{len(data)} bytes")
    if not data or data.isspace():  # not data.strip(): that would copy the whole file
        raise FileFailure(FileError.UNREADABLE, "empty file")
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return Examined(Kind.PDF)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        kind, measurable = _zip_kind(data)
        extent = Extent() if measurable else None
        _check_zip(data, limits, extent)
        if _odf_encrypted(data):
            raise FileFailure(FileError.ENCRYPTED, "OpenDocument encryption-data")
        if extent is not None:
            extent.check(limits)
        return Examined(kind, extent)
    if head.startswith(_OLE2):
        if _ENCRYPTED_STREAM in data:
            raise FileFailure(FileError.ENCRYPTED, "OLE2 EncryptedPackage")
        if _xls_encrypted(data):
            raise FileFailure(FileError.ENCRYPTED, "xls FILEPASS")
        return Examined(Kind.XLS)
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").lower().startswith((b"<", b"{\\rtf")):
        raise FileFailure(FileError.UNSUPPORTED, "HTML, XML or RTF, not a spreadsheet")
    if _looks_like_text(head):
        return Examined(Kind.CSV)
    raise FileFailure(FileError.UNSUPPORTED, "binary content of no known kind")
