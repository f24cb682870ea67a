"""SMS text: the GSM-7 alphabet, segment counting, names transliterated, reminders rendered.

Workers read these on basic phones, and every segment costs money. A text
written only in GSM 03.38's basic alphabet is 7 bits a character: 160 in one
segment, 153 per segment once it is split (the User Data Header takes 7). One
character outside it (an emoji, "é" typed as a combining accent, a Chinese
name) turns the whole message into UCS-2: 70 in one segment, 67 per segment.
The extension table (``€ [ ] { } ^ ~ | \\`` and form feed) costs two septets
each (escape + character), and a split never separates the pair; likewise a
UCS-2 split never separates a surrogate pair. So names are transliterated
(anyascii, then to the plain ASCII part of GSM-7) and templates are checked to
be GSM-7 when the configuration is loaded.

Rendering keeps a reminder in one segment where it can, without ever cutting
a word: first optional parts of the template (written ``[like this]``) are
dropped, last first; then the name is shortened a word at a time (later words
to initials, then dropped); then the configured fallback ("Bapak/Ibu")
replaces the name. If even that does not fit, the text goes out whole in
several segments rather than cut.

The Indonesian words this module owns (month names and the built-in
template) are kept together below; the templates used in production are
configuration (``programs.json``, ``reminders``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from anyascii import anyascii

# GSM 03.38 basic character set (without the escape 0x1B) and its extension table.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[]~|€")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

SINGLE_GSM7, MULTI_GSM7 = 160, 153
SINGLE_UCS2, MULTI_UCS2 = 70, 67

# What a name may keep after transliteration: printable ASCII in the basic table, so one septet each
# and safe on every handset. Extension characters and the backtick (not in GSM-7) become spaces.
_NAME_SAFE = frozenset(ch for ch in GSM7_BASIC if " " <= ch <= "~")
_INVISIBLE = {"Cf", "Cc", "Mn", "Me"}  # format (zero-width, BOM), control, combining marks
_SPACES = re.compile(r"\s+")
# A name as people write one: letters, with spaces, dots, apostrophes, hyphens, commas and parentheses between.
# Anything else in the name cell (digits, "/", ":", "@": a link, a number to call) is not a name but text a
# list could smuggle into an official SMS to a worker ("BUDI. Info: bit.ly/x"): the fallback is used instead.
_NAME_LIKE = re.compile(r"[A-Za-z][A-Za-z .'(),-]*")
_LINK_LIKE = re.compile(r"\b(?:www|https?)\b|\w\.(?:com|net|org|info|id|co|ly|me|io|xyz|site|link|app)\b",
                        re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")

# ---------------------------------------------------------------- Indonesian texts
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")
NAME_FALLBACK = "Bapak/Ibu"
DEFAULT_TEMPLATE = (
    "Yth. {name}, BPJS Ketenagakerjaan Anda berakhir {end_date}. Bayar iuran BPU mandiri di kantor cabang[ BPJS] "
    "atau aplikasi JMO[ agar tetap terlindungi]. Info 175"
)


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SmsLength:
    encoding: Encoding
    units: int
    """Septets (GSM-7, an extension character counts 2) or UTF-16 code units (UCS-2)."""
    segments: int

    @property
    def single(self) -> bool:
        return self.segments == 1


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7 for ch in text)


def _pack(units: list[int], single: int, multi: int) -> int:
    """Segments needed, filling each to ``multi`` without splitting a character's units."""
    if sum(units) <= single:
        return 1
    segments, used = 1, 0
    for width in units:
        if used + width > multi:
            segments, used = segments + 1, 0
        used += width
    return segments


def length(text: str) -> SmsLength:
    """How ``text`` travels: encoding, units and number of segments."""
    if is_gsm7(text):
        units = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SmsLength(Encoding.GSM7, sum(units), _pack(units, SINGLE_GSM7, MULTI_GSM7))
    units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsLength(Encoding.UCS2, sum(units), _pack(units, SINGLE_UCS2, MULTI_UCS2))


def _is_ideograph(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "HANGUL SYLLABLE"))


def transliterate(text: str) -> str:
    """``text`` in plain GSM-7 (one septet a character): "林美华" -> "Lin Mei Hua", "Ámínah" -> "Aminah".

    Invisible characters (zero-width space/joiners, BOM, controls) and symbols (emoji) are dropped; each
    ideograph becomes its own romanised word, as Chinese names are written in Indonesia; whitespace is collapsed.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isspace():
            out.append(" ")
        elif ch in _NAME_SAFE:
            out.append(ch)
        elif unicodedata.category(ch) in _INVISIBLE:
            continue
        elif unicodedata.category(ch)[0] == "S":  # emoji and symbols: anyascii would spell out ":grinning:"
            out.append(" ")
        else:
            ascii_ = anyascii(ch)
            if _is_ideograph(ch):
                ascii_ = f" {ascii_} "
            out.append("".join(c if c in _NAME_SAFE else " " for c in ascii_))
    return _SPACES.sub(" ", "".join(out)).strip()


def format_date(day: date) -> str:
    """``31 Mei 2025``."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


class TemplateError(ValueError):
    """A configured template is not usable: unknown placeholder, or not GSM-7."""


FIELDS = frozenset({"name", "end_date", "program"})


def check_template(template: str) -> None:
    """Raise ``TemplateError`` unless ``template`` is GSM-7 and names only known placeholders."""
    unknown = set(_PLACEHOLDER.findall(template)) - FIELDS
    if unknown:
        raise TemplateError(f"unknown placeholder(s) {sorted(unknown)} in template")
    if "{name}" not in template:
        raise TemplateError("template does not name the worker ({name})")
    plain = _OPTIONAL.sub(r"\1", template)
    if not is_gsm7(plain):
        bad = sorted({ch for ch in plain if ch not in GSM7})
        raise TemplateError(f"template has characters outside GSM-7: {bad!r}")


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def _keep_first(template: str, keep: int) -> str:
    """``template`` with its first ``keep`` optional parts kept (brackets removed) and the rest dropped."""
    seen = 0

    def part(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return match[1] if seen <= keep else ""

    return _OPTIONAL.sub(part, template)


def variants(template: str) -> list[str]:
    """The template with all optional parts, then dropping them last first, down to none."""
    count = len(_OPTIONAL.findall(template))
    forms = (_keep_first(template, keep) for keep in range(count, -1, -1))
    return [_SPACES.sub(" ", v).replace(" .", ".").replace(" ,", ",").strip() for v in forms]


def name_candidates(name: str) -> list[str]:
    """Ever shorter forms of a name, never a cut word: "SITI NUR AMINAH" -> "SITI NUR A.", "SITI NUR", ..."""
    words = name.split()
    out = [name] if words else []
    for k in range(len(words) - 1, 0, -1):
        initials = " ".join(w[0] + "." for w in words[k:])
        out += [" ".join(words[:k]) + " " + initials, " ".join(words[:k])]
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Rendered:
    text: str
    length: SmsLength
    name_shortened: bool


def render(
    template: str,
    *,
    name: str,
    end_date: date,
    program: str = "",
    fallback_name: str = NAME_FALLBACK,
    limit: int = SINGLE_GSM7,
) -> Rendered:
    """The reminder for one worker, in one GSM-7 segment where possible, never cut mid-word."""
    clean = transliterate(name)
    if not _NAME_LIKE.fullmatch(clean) or _LINK_LIKE.search(clean):
        clean = ""
    values = {"end_date": format_date(end_date), "program": program}
    forms = variants(template)
    primary = clean or fallback_name  # a name with nothing readable in GSM-7 (only emoji, say)
    attempts = [(primary, v) for v in forms] + [(n, forms[-1]) for n in name_candidates(clean)[1:]]
    attempts.append((fallback_name, forms[-1]))
    for used, text in attempts:
        filled = fill(text, {**values, "name": used})
        size = length(filled)
        if size.encoding is Encoding.GSM7 and size.units <= limit:
            return Rendered(filled, size, used != clean)
    whole = fill(forms[0], {**values, "name": primary})
    return Rendered(whole, length(whole), False)
