"""SMS text: segment counting (GSM-7 with its extension table, UCS-2), transliteration, rendering."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindungi import sms
from lindungi.config import programs
from lindungi.sms import Encoding

GSM_BASIC_ONLY = "".join(sorted(sms.GSM7_BASIC - {"\n", "\r"}))


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        pytest.param("", Encoding.GSM7, 0, 1, id="empty"),
        pytest.param("a" * 160, Encoding.GSM7, 160, 1, id="160-basic-one-segment"),
        pytest.param("a" * 161, Encoding.GSM7, 161, 2, id="161-basic-two-segments"),
        pytest.param("a" * 306, Encoding.GSM7, 306, 2, id="306-is-2x153"),
        pytest.param("a" * 307, Encoding.GSM7, 307, 3, id="307-three-segments"),
        pytest.param("€" * 80, Encoding.GSM7, 160, 1, id="80-euro-signs-are-160-septets"),
        pytest.param("a" * 159 + "€", Encoding.GSM7, 161, 2, id="extension-char-tips-over"),
        pytest.param("[]{}^~|\\", Encoding.GSM7, 16, 1, id="every-bracket-counts-two"),
        pytest.param("a" * 152 + "€" + "a" * 10, Encoding.GSM7, 164, 2, id="escape-pair-never-split"),
        pytest.param("a" * 152 + "€" * 77, Encoding.GSM7, 306, 3, id="escape-pair-moves-to-next-segment"),
        pytest.param("é è à ü Ñ ß Δ", Encoding.GSM7, 13, 1, id="accents-in-basic-table"),
        pytest.param("á", Encoding.UCS2, 1, 1, id="a-acute-is-not-gsm7"),
        pytest.param("ê" + "a" * 69, Encoding.UCS2, 70, 1, id="70-ucs2-one-segment"),
        pytest.param("ê" + "a" * 70, Encoding.UCS2, 71, 2, id="71-ucs2-two-segments"),
        pytest.param("林" * 134, Encoding.UCS2, 134, 2, id="134-ucs2-is-2x67"),
        pytest.param("😀" * 35, Encoding.UCS2, 70, 1, id="emoji-are-surrogate-pairs"),
        pytest.param("a" * 66 + "😀" + "a", Encoding.UCS2, 69, 1, id="surrogates-fit-one"),
        pytest.param("a" * 66 + "😀" * 3, Encoding.UCS2, 72, 2, id="surrogate-pair-never-split"),
        pytest.param("`", Encoding.UCS2, 1, 1, id="backtick-is-not-gsm7"),
    ],
)
def test_length(text: str, encoding: Encoding, units: int, segments: int) -> None:
    got = sms.length(text)
    assert (got.encoding, got.units, got.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("SITI AMINAH", "SITI AMINAH", id="plain"),
        pytest.param("Siti Ámínah", "Siti Aminah", id="acute-accents"),
        pytest.param("Siti A\u0301minah", "Siti Aminah", id="combining-accent"),
        pytest.param("林美华", "Lin Mei Hua", id="chinese-one-word-per-character"),
        pytest.param("TAN 林美华", "TAN Lin Mei Hua", id="mixed-latin-chinese"),
        pytest.param("Nguyễn Văn Ân", "Nguyen Van An", id="vietnamese"),
        pytest.param("SI\u200bTI\u200d AMI\ufeffNAH", "SITI AMINAH", id="zero-width-and-bom-dropped"),
        pytest.param("  BUDI \t\n SANTOSO  ", "BUDI SANTOSO", id="whitespace-collapsed"),
        pytest.param("O’Brien", "O'Brien", id="curly-apostrophe"),
        pytest.param("Zoë Łukasz", "Zoe Lukasz", id="diaeresis-and-stroke"),
        pytest.param("AGUS [ALM] {X}", "AGUS ALM X", id="extension-chars-become-spaces"),
        pytest.param("DEWI 😀", "DEWI", id="emoji-dropped"),
        pytest.param("Müller Ñoño", "Muller Nono", id="gsm-accents-also-to-ascii"),
        pytest.param("\u200b\u200d", "", id="only-invisible"),
    ],
)
def test_transliterate(name: str, expected: str) -> None:
    got = sms.transliterate(name)
    assert got == expected
    assert all(ch in sms.GSM7_BASIC and " " <= ch <= "~" for ch in got)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        pytest.param(date(2025, 5, 31), "31 Mei 2025", id="mei"),
        pytest.param(date(2025, 1, 1), "1 Januari 2025", id="januari-no-leading-zero"),
        pytest.param(date(2025, 8, 17), "17 Agustus 2025", id="agustus"),
        pytest.param(date(2026, 2, 28), "28 Februari 2026", id="februari"),
        pytest.param(date(2025, 9, 30), "30 September 2025", id="longest-month"),
    ],
)
def test_format_date(day: date, text: str) -> None:
    assert sms.format_date(day) == text


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        pytest.param("SITI", ["SITI"], id="one-word"),
        pytest.param("SITI NUR AMINAH", ["SITI NUR AMINAH", "SITI NUR A.", "SITI NUR", "SITI N. A.", "SITI"],
                     id="three-words"),
        pytest.param("", [], id="empty"),
    ],
)
def test_name_candidates_never_cut_a_word(name: str, candidates: list[str]) -> None:
    assert sms.name_candidates(name) == candidates


TEMPLATE = (
    "Yth. {name}, BPJS Ketenagakerjaan Anda berakhir {end_date}. Bayar iuran BPU di kantor cabang[ BPJS] atau JMO. "
    "Info 175"
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("SITI AMINAH", "Yth. SITI AMINAH, BPJS Ketenagakerjaan Anda berakhir 31 Mei 2025. "
                     "Bayar iuran BPU di kantor cabang BPJS atau JMO. Info 175", id="fits-whole"),
        pytest.param("MUHAMMAD ABDUL RAHMAN HIDAYATULLAH SAPUTRA WIJAYA KUSUMA",
                     "Yth. MUHAMMAD ABDUL RAHMAN HIDAYATULLAH SAPUTRA WIJAYA K., BPJS Ketenagakerjaan Anda berakhir "
                     "31 Mei 2025. Bayar iuran BPU di kantor cabang atau JMO. Info 175",
                     id="optional-dropped-then-initial"),
        pytest.param("MUHAMMAD ABDUL RAHMAN HIDAYATULLAH SAPUTRA WIJAYA KUSUMANEGARA PUTRA",
                     "Yth. MUHAMMAD ABDUL RAHMAN HIDAYATULLAH SAPUTRA WIJAYA, BPJS Ketenagakerjaan Anda berakhir "
                     "31 Mei 2025. Bayar iuran BPU di kantor cabang atau JMO. Info 175",
                     id="later-words-dropped-whole"),
        pytest.param("X" * 120, "Yth. Bapak/Ibu, BPJS Ketenagakerjaan Anda berakhir 31 Mei 2025. "
                     "Bayar iuran BPU di kantor cabang atau JMO. Info 175", id="one-huge-word-falls-back"),
        pytest.param("😀", "Yth. Bapak/Ibu, BPJS Ketenagakerjaan Anda berakhir 31 Mei 2025. "
                     "Bayar iuran BPU di kantor cabang BPJS atau JMO. Info 175", id="nothing-readable"),
    ],
)
def test_render_fits_one_segment(name: str, expected: str) -> None:
    rendered = sms.render(TEMPLATE, name=name, end_date=date(2025, 5, 31))
    assert rendered.text == expected
    assert rendered.length.single and rendered.length.encoding is Encoding.GSM7


def test_render_without_a_one_segment_form_sends_whole_not_cut() -> None:
    template = "Yth. {name}, " + "kata " * 40 + "berakhir {end_date}."
    rendered = sms.render(template, name="SITI AMINAH", end_date=date(2025, 5, 31))
    assert rendered.text.startswith("Yth. SITI AMINAH, kata") and rendered.text.endswith("31 Mei 2025.")
    assert rendered.length.segments == 2


@pytest.mark.parametrize(
    ("template", "error"),
    [
        pytest.param("Halo {nama}, {end_date}", "unknown placeholder", id="unknown-placeholder"),
        pytest.param("Halo, berakhir {end_date}", "does not name", id="no-name"),
        pytest.param("Halo {name}, berakhir {end_date} ✓", "outside GSM-7", id="not-gsm7"),
    ],
)
def test_bad_templates_fail_at_load(template: str, error: str) -> None:
    with pytest.raises(sms.TemplateError, match=error):
        sms.check_template(template)


@pytest.mark.parametrize("stage", [30, 7, 1, 14])
@pytest.mark.parametrize("program", ["pekerja-rentan", "pekerja-sawit"])
def test_shipped_templates_fit_one_segment_for_usual_names(program: str, stage: int) -> None:
    template = programs().reminders.template(program, stage)
    for name in ["SITI AMINAH", "MUHAMMAD KIM LIONG", "APRIANUS SIAU MEI HALIM", "林美华"]:
        rendered = sms.render(template, name=name, end_date=date(2025, 9, 30))
        assert rendered.length.single, rendered.text
        assert "BPJS Ketenagakerjaan" in rendered.text and "JMO" in rendered.text and "175" in rendered.text
        assert "BPU" in rendered.text and "30 September 2025" in rendered.text


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=80), day=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)))
def test_any_name_renders_to_one_gsm7_segment_when_the_rest_fits(name: str, day: date) -> None:
    clean = sms.transliterate(name)
    for stage in (30, 7, 1):
        template = programs().reminders.template("pekerja-rentan", stage)
        rendered = sms.render(template, name=name, end_date=day)
        assert sms.is_gsm7(rendered.text)
        assert rendered.length.encoding is Encoding.GSM7 and rendered.length.units <= 160
        # Never a cut word: the text is one of the template's forms filled with a whole-word form of the name.
        names = [*sms.name_candidates(clean), sms.NAME_FALLBACK]
        forms = {sms.fill(v, {"name": n, "end_date": sms.format_date(day)})
                 for v in sms.variants(template) for n in names}
        assert rendered.text in forms


@settings(deadline=None)  # a property, not a timing: no per-example deadline
@given(st.text(alphabet=GSM_BASIC_ONLY, max_size=400))
def test_gsm7_segments_match_the_formula_for_basic_text(text: str) -> None:
    n = len(text)
    expected = 1 if n <= 160 else -(-n // 153)
    assert sms.length(text).segments == expected


@pytest.mark.parametrize("name", ["BUDI. Info: bit.ly/x", "SITI hub 0812-9999-0000", "www.bpjs-palsu.com",
                                  "AMINAH @promo", "Transfer ke rek 123", "BUDI https://x.co"])
def test_a_name_cell_carrying_a_link_or_a_number_never_reaches_the_sms(name: str) -> None:
    """A list could put a link or a number to call into an official reminder through the name cell."""
    rendered = sms.render(sms.DEFAULT_TEMPLATE, name=name, end_date=date(2025, 5, 31))
    assert rendered.text.startswith(f"Yth. {sms.NAME_FALLBACK},")
    assert not any(part in rendered.text for part in ("bit.ly", "0812", "www", "@", "123", "https"))


@pytest.mark.parametrize("name", ["=WARGA", "+WARGA", "-WARGA", "@WARGA", "%WARGA", "'=WARGA", " =WARGA SITI",
                                  "=HYPERLINK", "-SITI AMINAH"])
def test_a_formula_like_name_without_digits_falls_back(name: str) -> None:
    """A name cell starting as a spreadsheet formula does (``= + - @ %``) is not a name, digits or not."""
    rendered = sms.render(sms.DEFAULT_TEMPLATE, name=name, end_date=date(2025, 5, 31))
    assert rendered.text.startswith(f"Yth. {sms.NAME_FALLBACK},")
    assert not any(mark in rendered.text for mark in ("=", "+", "@", "%", "WARGA", "HYPERLINK", "SITI"))


@pytest.mark.parametrize("name", ["SITI NUR'AINI", "A. RAHMAN", "MARIA-ULFA", "BUDI, S.PD", "ABDUL (ALM)", "林美华"])
def test_names_as_people_write_them_are_used(name: str) -> None:
    rendered = sms.render(sms.DEFAULT_TEMPLATE, name=name, end_date=date(2025, 5, 31))
    assert not rendered.text.startswith(f"Yth. {sms.NAME_FALLBACK},")
