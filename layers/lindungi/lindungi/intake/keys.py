"""The bucket's layout (uploads under ``incoming/<program>/``, reports under ``reports/<program>/``) and
report keys that always fit S3's key limit, whatever the upload was called.

An office's upload through the staff portal is ``incoming/<program>/<office>/<name>`` and its reports
``reports/<program>/<office>/<name>...``; a list dropped straight into ``incoming/<program>/`` (the S3
console) has no office. ``office_from_key`` says which: an office id is lower-case letters, digits and
dashes (``kel-pasiran``, ``lindungi.offices``), the name of a Cognito user's ``custom:office``.

S3 refuses a key over 1,024 bytes (UTF-8). An upload key can itself be 1,024 bytes, and its reports
add ``reports/`` and ``.perbaikan.xlsx``. When the report key would not fit, the part after the
prefix is cut (at a character, never inside one) and ended with ``~`` and 16 hex digits of the
SHA-256 of the whole upload key, then the upload's own extension: distinct uploads keep distinct
reports, and both reports of one upload share one stem. The report's JSON carries the upload key
(``source_key``), so a shortened report still says which upload it answers.

No upload's report can land on an object Lindungi generates: the daily rekap's folder under
``reports/`` is reserved (an upload under ``incoming/rekap/`` reports under ``reports/~rekap/``), and an
upload already named like a shortened stem (``...~<16 hex digits>.xlsx``) is shortened itself, so its
stem carries the hash of its own key and cannot be another upload's.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

from lindungi.offices import is_office

INCOMING = "incoming/"
"""Where staff drop lists: ``incoming/<program>/<name>``."""
REPORTS = "reports/"
"""Where the reports go: ``reports/<program>/<name>.json`` and its siblings (``intake.publish``)."""
S3_KEY_BYTES = 1024
"""The most bytes (UTF-8) S3 allows in an object key."""
GENERATED_FOLDERS = ("rekap",)
"""Folders under ``reports/`` that Lindungi writes itself (``reports/rekap/<date>.html`` and ``.xlsx``)."""
REKAP = REPORTS + "rekap/"
_DIGEST_CHARS = 16
_MAX_EXTENSION_BYTES = 10
_SHORTENED = re.compile(rf"~[0-9a-f]{{{_DIGEST_CHARS}}}(\.[^/]{{0,{_MAX_EXTENSION_BYTES}}})?$")


def report_rest(rest: str) -> str:
    """An upload's path after ``incoming/`` as its reports' path after ``reports/``: a first folder named
    like a generated one (``rekap``, ``~rekap``, ``~~rekap``...) gets one ``~`` more, so no report lands in
    ``reports/rekap/`` and two uploads never share a report path."""
    first, slash, tail = rest.partition("/")
    if slash and first.lstrip("~") in GENERATED_FOLDERS:
        return f"~{first}/{tail}"
    return rest


def fit(prefix: str, rest: str, suffixes: tuple[str, ...], source: str) -> str:
    """``prefix + rest``, shortened so that ``prefix + stem + suffix`` fits in S3 for every suffix given."""
    room = S3_KEY_BYTES - len(prefix.encode()) - max(len(s.encode()) for s in suffixes)
    if len(rest.encode()) <= room and not _SHORTENED.search(rest):
        return prefix + rest
    extension = PurePosixPath(rest).suffix
    if len(extension.encode()) > _MAX_EXTENSION_BYTES:
        extension = ""
    tail = "~" + hashlib.sha256(source.encode()).hexdigest()[:_DIGEST_CHARS] + extension
    kept = rest.encode()[: room - len(tail.encode())].decode("utf-8", errors="ignore")
    return prefix + kept + tail


def office_from_key(key: str) -> str | None:
    """``incoming/pekerja-rentan/kel-pasiran/x.xlsx`` -> ``kel-pasiran`` (also for the report keys under
    ``reports/``); ``incoming/pekerja-rentan/x.xlsx`` -> None."""
    parts = key.split("/")
    if len(parts) == 4 and parts[0] + "/" in (INCOMING, REPORTS) and parts[3] and is_office(parts[2]):
        return parts[2]
    return None


def office_prefix(folder: str, program: str, office: str) -> str:
    """``incoming/<program>/<office>/`` or ``reports/<program>/<office>/`` (``folder`` is ``INCOMING`` or
    ``REPORTS``)."""
    return f"{folder}{program}/{office}/"


def is_folder(key: str) -> bool:
    """A key ending in ``/``: the console's "Create folder" (0 bytes), not a list."""
    return key.endswith("/")
