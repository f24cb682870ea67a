"""The content-stream tokenizer on hostile bytes: linear in its input, and what pdfminer's parser reads."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pdfminer.pdfdevice import PDFDevice
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdftypes import PDFStream

from lindungi.intake.readers.pdf.content import Interpreter


class _Recording:
    """Operators with their operands, as the interpreter hands them over, instead of drawing anything."""

    seen: list[tuple[str, tuple[Any, ...]]]

    def _note(self, op: str, *args: Any) -> None:
        self.seen.append((op, args))

    def do_Tj(self, s: Any) -> None:
        self._note("Tj", s)

    def do_TJ(self, seq: Any) -> None:
        self._note("TJ", seq)

    def do__q(self, s: Any) -> None:
        self._note("'", s)

    def do_Td(self, tx: Any, ty: Any) -> None:
        self._note("Td", tx, ty)

    def do_Tf(self, font: Any, size: Any) -> None:
        self._note("Tf", font, size)

    def do_re(self, x: Any, y: Any, w: Any, h: Any) -> None:
        self._note("re", x, y, w, h)

    def do_cm(self, a: Any, b: Any, c: Any, d: Any, e: Any, f: Any) -> None:
        self._note("cm", a, b, c, d, e, f)

    def do_BDC(self, tag: Any, props: Any) -> None:
        self._note("BDC", tag, props)

    def do_d(self, dash: Any, phase: Any) -> None:
        self._note("d", dash, phase)

    def do_Do(self, name: Any) -> None:
        self._note("Do", name)

    def do_BT(self) -> None:
        self._note("BT")

    def do_q(self) -> None:
        self._note("q")


class _Ours(_Recording, Interpreter):
    pass


class _Pdfminers(_Recording, PDFPageInterpreter):
    pass


def _operators(cls: type[_Recording], data: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    manager = PDFResourceManager()
    interpreter: Any = cls(manager, PDFDevice(manager))  # type: ignore[call-arg]
    interpreter.init_resources({})
    interpreter.init_state((1, 0, 0, 1, 0, 0))
    interpreter.seen = []
    stream = PDFStream({}, data)
    stream.objid = 1
    interpreter.execute([stream])
    return interpreter.seen


ADVERSARIAL = {
    "digit run ending in a letter": b"1" * 200_000 + b"x",
    "signed digit run ending in a dot and a letter": b"+" + b"9" * 200_000 + b".5x",
    "unclosed hex strings": b"< a" * 100_000,
    "open brackets": b"<" * 200_000,
    "unclosed strings": b"(" * 100_000,
    "percent signs": b"%" * 200_000,
    "digits between every delimiter": b"12345678x(" * 50_000,
    "glyph arrays never closed": b"[<0E>-7<01>1 " * 50_000,
    "glyph arrays ending in a bad number": b"[<0E>-7<01>1.2.3]" * 50_000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_a_megabyte_of_adversarial_bytes_is_read_in_seconds(name: str) -> None:
    unit = ADVERSARIAL[name]
    data = (unit * (1 + 1_000_000 // len(unit)))[:1_000_000] + b"\nBT (ok) Tj"
    started = time.perf_counter()
    seen = _operators(_Ours, data)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, (name, elapsed)  # measured 0.05-3.3 s; the backtracking expression took hours
    assert seen[-1:] == _operators(_Ours, data[-20_000:])[-1:]
    head = data[:20_000]  # pdfminer itself takes 40 s over a megabyte of "(" (quadratic in its nesting)
    assert _operators(_Ours, head) == _operators(_Pdfminers, head)


def test_a_dictionary_with_a_key_that_is_not_a_name_reads_as_pdfminer_reads_it() -> None:
    data = b"/Span << [1] 2 /MCID 0 >> BDC BT (SITI) Tj"
    assert _operators(_Ours, data) == _operators(_Pdfminers, data)
    assert ("Tj", (b"SITI",)) in _operators(_Ours, data)


def test_a_hex_string_ends_where_pdfminer_ends_it() -> None:
    data = b"<41 42\x0b43> Tj <4> Tj <41zz> Tj <4142>> Tj"
    assert _operators(_Ours, data) == _operators(_Pdfminers, data)


FRAGMENTS = [
    b"1", b"-2.5", b"+.5", b"5.", b"1.2.3", b"12x", b"0", b"/Name", b"/N#41me", b"/", b"(plain)", b"(a\\)b)",
    b"(nest (ed))", b"(oct\\101)", b"(", b")", b"<", b"<41 42>", b"<4>", b">", b"<<", b">>", b"[", b"]", b"{", b"}",
    b"%comment\n", b"true", b"false", b"Tj", b"TJ", b"'", b"Td", b"Tf", b"re", b"cm", b"BDC", b"d", b"Do", b"BT",
    b"q", b"Q", b"ET", b" ", b"\n", b"\r\n", b"\t", b"\x00", b"<0E>", b"<4142>", b"<>", b"-7", b"[<0E>-7<01>]",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS) | st.binary(min_size=1, max_size=3), max_size=40), st.booleans())
def test_generated_streams_read_as_pdfminer_reads_them(parts: list[bytes], spaced: bool) -> None:
    data = (b" " if spaced else b"").join(parts)
    try:
        expected = _operators(_Pdfminers, data)
    except Exception:  # pdfminer gives up on the page (an odd dictionary): we only have to survive it
        _operators(_Ours, data)
        assume(False)
    assert _operators(_Ours, data) == expected


GLYPH_ARRAYS = {
    "one glyph a hex string, kerning between": b"[<0E>-7<01>1<18>-2<0E>]TJ",
    "several glyphs a string, decimals": b"[<1A1B>-12.5<0c0d>3.25<>]TJ",
    "blanks around the items": b"[ <0E> -7\n<01>\r\n1\t]TJ",
    "empty": b"[]TJ",
    "nested": b"[[<0E>1]<01>]TJ",
    "an odd hex string": b"[<0E>-7<012>]TJ",
    "a hex string with a blank in it": b"[<0E 01>-7]TJ",
    "a number pdfminer splits": b"[<0E>1.2.3<01>]TJ",
    "a signed or bare decimal": b"[<0E>+7<01>-.5<02>.5<03>5.]TJ",
    "a string among hex strings": b"[<0E>-7(ab)1<01>]TJ",
    "an operator inside": b"[<0E>-7 Tj <01>]TJ",
    "a vertical tab between items": b"[<0E>\x0b-7<01>]TJ",
    "a comment inside": b"[<0E>%note\n-7<01>]TJ",
    "never closed": b"[<0E>-7<01> BT (ok) Tj",
    "closed by a dictionary's end": b"[<0E>-7>> Tj",
    "after a dictionary, twice": b"/P <</MCID 0>> BDC [<0E>-7<01>]TJ [<0E>-7<02>]TJ [1 2] 0 d [<0E>]TJ",
}


@pytest.mark.parametrize("name", list(GLYPH_ARRAYS))
def test_a_glyph_array_read_in_one_match_is_what_pdfminer_reads(name: str) -> None:
    data = GLYPH_ARRAYS[name]
    assert _operators(_Ours, data) == _operators(_Pdfminers, data)
