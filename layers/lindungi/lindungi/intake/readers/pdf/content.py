"""Content streams tokenised by one regular expression instead of pdfminer's character-level parser.

LibreOffice writes every cell as its own ``q ... BT ... Tf ... TJ ET Q`` with many numbers, so
on its PDFs four fifths of the reading time went into ``PSBaseParser`` taking the stream apart
byte by byte (pdfplumber's default ``extract_tables()`` pays the same, which is why its ratio to
us fell under 3x there). ``Interpreter`` is pdfminer's page interpreter with only ``execute``
replaced: the same objects (numbers, ``PSLiteral`` names, strings, arrays, dictionaries,
``PSKeyword`` operators) reach the same ``do_*`` methods, so the device sees exactly what
pdfminer's parser would give it (tests hold the two equal on every fixture and on generated hostile
streams), in time linear in the stream where a backtracking expression once took minutes. A stream with an
inline image (``BI ... ID <binary> EI``) is left to pdfminer's own parser.
"""

from __future__ import annotations

import logging
import re
from binascii import unhexlify
from collections.abc import Callable, Sequence
from typing import Any

from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import KWD, LIT, literal_name

log = logging.getLogger(__name__)

_END = rb"#/%\[\]()<>{}\t\n\x0b\x0c\r "  # what ends a name or an operator (pdfminer's END_KEYWORD)
_TOKEN = re.compile(
    # pdfminer's tokenizer as one expression: each token starts on one byte and runs as far as its
    # class allows, every repetition possessive, so nothing is ever re-split when what follows does not
    # fit (a backtracking number once tried every split of a 100,000-digit run, and every unclosed "<"
    # scanned to the end of the stream): linear in the stream.
    rb"(?:[\x00\t\n\x0b\x0c\r ]|%[^\r\n]*+)*+"  # blanks, NULs and comments before the token
    rb"(?:(?P<number>[+-]\d*+(?:\.\d*+)?+|\d++(?:\.\d*+)?+|\.\d*+)"  # "12x" is 12 then x; "1.2.3" 1.2, .3
    rb"|(?P<word>[A-Za-z][^" + _END + rb"]*+)"
    rb"|(?P<name>/[^" + _END.replace(b"#", b"") + rb"]*+)"
    rb"|(?P<plain>\([^()\\]*+\))"  # a string without escapes or nested parentheses: most of them
    rb"|(?P<string>\()"
    # a TJ array of whole hex strings and plain numbers, as LibreOffice and most writers print a glyph run:
    # taken in one match (anything else in it, and it is read token by token, as "[" opens any array)
    rb"|(?P<array>\[(?:[\t\n\r ]*+(?:<(?:[0-9A-Fa-f]{2})*+>|-?\d++(?:\.\d++)?+))*+[\t\n\r ]*+\])"
    rb"|(?P<open>\[|<<|\{)"
    rb"|(?P<hex><[0-9A-Fa-f\t\n\x0b\x0c\r ]*+)"  # ends where pdfminer ends it: at the first other byte
    rb"|(?P<close>\]|>>|\})"
    rb"|(?P<end>$)"
    rb"|(?P<gt>>)"  # a lone ">" (the one after a hex string among them) is skipped, as pdfminer does
    rb"|(?P<stray>.))",  # any other byte is an operator of its own ("'", '"', a stray ")")
    re.DOTALL,
)
_INLINE_IMAGE = re.compile(rb"(?:^|[\x00\t\n\x0c\r \]>)])BI[\x00\t\n\x0c\r /]")
_ARRAY_ITEM = re.compile(rb"<[0-9A-Fa-f]*>|-?[0-9.]+")
_NAME_HEX = re.compile(rb"#([0-9A-Fa-f]{1,2})?")
_HEX_PAIR = re.compile(rb"[0-9a-fA-F]{2}|.")
_SPACE = re.compile(rb"\s")
_STRING_STOP = re.compile(rb"[()\\]")
_ESCAPES = {ord(k): v for k, v in {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "f": b"\f", "(": b"(",
                                     ")": b")", "\\": b"\\"}.items()}


def _name(token: bytes) -> Any:
    raw = _NAME_HEX.sub(_name_byte, token[1:]) if b"#" in token else token[1:]
    try:
        return LIT(str(raw, "utf-8"))
    except UnicodeDecodeError:
        return LIT(raw)  # what pdfminer does with a name that is not UTF-8


def _string(data: bytes, pos: int) -> tuple[bytes, int]:
    """The literal string opening at ``pos`` (after its ``(``): its bytes and the position after ``)``."""
    out = bytearray()
    depth = 1
    while True:
        m = _STRING_STOP.search(data, pos)
        if m is None:
            out += data[pos:]
            return bytes(out), len(data)
        out += data[pos : m.start()]
        ch = data[m.start()]
        pos = m.end()
        if ch == 0x5C:  # backslash
            pos = _escape(data, pos, out)
        elif ch == 0x28:
            depth += 1
            out.append(ch)
        else:
            depth -= 1
            if depth == 0:
                return bytes(out), pos
            out.append(ch)


def _escape(data: bytes, pos: int, out: bytearray) -> int:
    if pos >= len(data):
        return pos
    ch = data[pos]
    if ch in _ESCAPES:
        out += _ESCAPES[ch]
        return pos + 1
    if 0x30 <= ch <= 0x37:
        end = pos
        while end < len(data) and end - pos < 3 and 0x30 <= data[end] <= 0x37:
            end += 1
        out.append(int(data[pos:end], 8) & 0xFF)
        return end
    if ch == 0x0D:  # a line continuation
        return pos + 2 if data[pos + 1 : pos + 2] == b"\n" else pos + 1
    return pos + 1  # a line continuation, or an escape pdfminer does not know: the byte is dropped, as it does


def _name_byte(m: re.Match[bytes]) -> bytes:
    """``#41`` in a name is ``A``; pdfminer takes one hex digit too, and drops a ``#`` with none."""
    return bytes((int(m.group(1), 16),)) if m.group(1) else b""


_CLOSES = {b"]": b"[", b">>": b"<<", b"}": b"{"}


class Interpreter(PDFPageInterpreter):
    """pdfminer's page interpreter reading content streams with ``_TOKEN``."""

    def execute(self, streams: Sequence[object]) -> None:
        valid: list[PDFStream] = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                log.debug("content stream skipped: inline or circular")
                continue
            valid.append(stream)
            self.stream_ids.add(stream.objid)
        data = b"\n".join(stream.get_data() for stream in valid)
        if _INLINE_IMAGE.search(data):
            super().execute(valid)
            return
        self._run(data)

    def _operator(self, name: bytes, cache: dict[bytes, tuple[Callable[..., None], int] | None]) -> None:
        entry = cache.get(name, False)
        if entry is False:
            text = str(name, "utf-8", "ignore").replace("*", "_a").replace('"', "_w").replace("'", "_q")
            func = getattr(self, f"do_{text}", None)
            entry = cache[name] = None if func is None else (func, func.__code__.co_argcount - 1)
        if entry is None:
            return
        func, nargs = entry  # type: ignore[misc]
        if nargs:
            args = self.pop(nargs)
            if len(args) == nargs:
                func(*args)
        else:
            func()

    def _run(self, data: bytes) -> None:
        pos: int | None = 0
        stack: list[list[Any]] = []  # open arrays and dictionaries, innermost last
        cache: dict[bytes, tuple[Callable[..., None], int] | None] = {}
        known: dict[bytes, Any] = {}
        while pos is not None:
            pos = self._tokens(data, pos, stack, cache, known)

    def _tokens(
        self, data: bytes, pos: int, stack: list[list[Any]], cache: dict[bytes, tuple[Callable[..., None], int] | None],
        known: dict[bytes, Any],
    ) -> int | None:
        """Operands pushed and operators run from ``pos`` on; where to go on after a string with escapes,
        None at the end. A byte no token starts with (a stray ")") is skipped, as pdfminer does."""
        value: Any
        for m in _TOKEN.finditer(data, pos):
            kind = m.lastgroup
            if kind == "number":  # a number as pdfminer reads it; it reads nothing of "+" or "."
                token = m.group(kind)
                try:
                    value = float(token) if b"." in token else int(token)
                except ValueError:
                    continue
            elif kind == "word" or kind == "stray":
                token = m.group(kind)
                if token == b"true" or token == b"false":
                    value = token == b"true"
                elif stack:
                    value = KWD(token)  # an operator inside an array: pdfminer keeps it as an operand
                else:
                    self._operator(token, cache)
                    continue
            elif kind == "array":
                value = [known[t] if t in known else _item(t, known) for t in _ARRAY_ITEM.findall(m.group(kind))]
            elif kind == "plain":
                value = m.group(kind)[1:-1]
            elif kind == "name":
                value = _name(m.group(kind))
            elif kind == "hex":
                value = _hex(m.group(kind)[1:])
            elif kind == "open":
                stack.append([m.group(kind)])
                continue
            elif kind == "close":
                if not stack or stack[-1][0] != _CLOSES[m.group(kind)]:
                    continue  # closes nothing open, or not what is innermost: pdfminer drops it
                items = stack.pop()
                value = _dict(items[1:]) if items[0] == b"<<" else items[1:]
            elif kind == "string":
                value, after = _string(data, m.end())
                self._operand(value, stack)
                return after
            else:
                continue  # the end, a lone ">"
            if stack:
                stack[-1].append(value)
            else:
                self.argstack.append(value)  # not bound once: pdfminer's ``pop`` replaces the list
        return None

    def _operand(self, value: Any, stack: list[list[Any]]) -> None:
        if stack:
            stack[-1].append(value)
        else:
            self.argstack.append(value)


def _item(token: bytes, known: dict[bytes, Any]) -> Any:
    """A glyph array's hex string or number, kept in ``known``: a page's glyph codes and kerning repeat."""
    value = known[token] = unhexlify(token[1:-1]) if token[0] == 0x3C else float(token) if b"." in token else int(token)
    return value


def _hex(digits: bytes) -> bytes:
    try:
        return bytes.fromhex(digits.decode("ascii"))
    except (ValueError, UnicodeDecodeError):  # odd length or stray characters: pdfminer's reading
        return _HEX_PAIR.sub(lambda h: bytes((int(h.group(0), 16),)), _SPACE.sub(b"", digits))


def _dict(items: list[Any]) -> dict[Any, Any]:
    """pdfminer's reading: keys by ``literal_name`` (a key that is not a name, ``<< [1] 2 >>``, becomes its
    text rather than failing the page), entries whose value is None dropped."""
    pairs = items[: len(items) // 2 * 2]
    return {literal_name(k): v for k, v in zip(pairs[::2], pairs[1::2], strict=True) if v is not None}
