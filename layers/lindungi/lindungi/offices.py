"""Offices as staff read them: an office's id, its name, and the name of a list an office uploaded.

An office (a kelurahan or kecamatan office, a dinas unit) is known by an id: lower-case letters, digits and
dashes (``kel-pasiran``), a Cognito user's ``custom:office`` and the folder its uploads go to
(``incoming/<program>/<office>/``). Staff read its name (``Kel. Pasiran``), configured beside the programs in
``programs.json`` (``offices``, loaded and checked by ``lindungi.config``).

The portal names each upload ``<stamp>-<file>`` in the office's folder (``20261206-180831-Daftar.xlsx``: two
uploads of one name get two keys, so two reports). The stamp belongs to the key only: ``display_name`` gives
back the name the clerk chose, for every page, report and workbook that names the list.
"""

from __future__ import annotations

import re
from datetime import datetime

from lindungi.page import WIB

OFFICE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
"""An office id: what ``custom:office`` holds and the folder its uploads go to."""

_STAMP = re.compile(r"[0-9]{8}-[0-9]{6}-(?=.)")
"""``20261206-180831-``: the start of an office upload's object name, before the clerk's own."""


def is_office(text: str) -> bool:
    return OFFICE.fullmatch(text) is not None


def stamp(now: datetime) -> str:
    """``20261206-103015``, WIB: the start of an office upload's object name, so each upload has a key of its own."""
    return now.astimezone(WIB).strftime("%Y%m%d-%H%M%S")


def display_name(key: str) -> str:
    """The name of the list ``key`` holds (or a report of it answers), as the clerk chose it:
    ``incoming/pekerja-rentan/kel-pasiran/20261206-180831-Daftar.xlsx`` -> ``Daftar.xlsx`` (a report key's
    suffixes stay: ``...-Daftar.xlsx.json`` -> ``Daftar.xlsx.json``). Only an office's folder has stamped
    names; a list dropped straight into ``incoming/<program>/`` keeps its name whole, whatever it looks like."""
    parts = key.split("/")
    name = parts[-1]
    stamped = _STAMP.match(name) if len(parts) == 4 and is_office(parts[2]) else None
    return name[stamped.end():] if stamped else name
