"""The bucket's layout (uploads under ``incoming/<program>/``, reports under ``reports/<program>/``) and
report keys that always fit S3's key limit, whatever the upload was called.

S3 refuses a key over 1,024 bytes (UTF-8). An upload key can itself be 1,024 bytes, and its reports
add ``reports/`` and ``.perbaikan.xlsx``. When the report key would not fit, the part after the
prefix is cut (at a character, never inside one) and ended with ``~`` and 16 hex digits of the
SHA-256 of the whole upload key, then the upload's own extension: distinct uploads keep distinct
reports, and both reports of one upload share one stem. The report's JSON carries the upload key
(``source_key``), so a shortened report still says which upload it answers.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

INCOMING = "incoming/"
"""Where staff drop lists: ``incoming/<program>/<name>``."""
REPORTS = "reports/"
"""Where the reports go: ``reports/<program>/<name>.json`` and its siblings (``intake.publish``)."""
S3_KEY_BYTES = 1024
"""The most bytes (UTF-8) S3 allows in an object key."""
_DIGEST_CHARS = 16
_MAX_EXTENSION_BYTES = 10


def fit(prefix: str, rest: str, suffixes: tuple[str, ...], source: str) -> str:
    """``prefix + rest``, shortened so that ``prefix + stem + suffix`` fits in S3 for every suffix given."""
    room = S3_KEY_BYTES - len(prefix.encode()) - max(len(s.encode()) for s in suffixes)
    if len(rest.encode()) <= room:
        return prefix + rest
    extension = PurePosixPath(rest).suffix
    if len(extension.encode()) > _MAX_EXTENSION_BYTES:
        extension = ""
    tail = "~" + hashlib.sha256(source.encode()).hexdigest()[:_DIGEST_CHARS] + extension
    kept = rest.encode()[: room - len(tail.encode())].decode("utf-8", errors="ignore")
    return prefix + kept + tail


def is_folder(key: str) -> bool:
    """A key ending in ``/``: the console's "Create folder" (0 bytes), not a list."""
    return key.endswith("/")
