"""No NIK, phone number or name in clear in any log line: what ``lindungi.logs`` masks, and what our code logs.

The masking is at the formatter, so it also covers what no call site controls: exception messages and
tracebacks, failed events and DLQ records logged whole, a botocore error that echoes a request.
"""

from __future__ import annotations

import ast
import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindungi.logs import get_logger, mask_key, mask_keys, redact

ROOT = Path(__file__).resolve().parents[2]

NIK = "6172014509850003"
PHONE = "+6281234567890"
NIK_CLEAR = re.compile(r"(?<!\d)\d{16}(?!\d)")
PHONE_CLEAR = re.compile(r"(?:\+?62|0)[\s-]?8\d{1,2}[\s-]?\d{3,4}[\s-]?\d{3,4}")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param(NIK, "6172********0003", id="nik-plain"),
        pytest.param("6172 0145 0985 0003", "6172********0003", id="nik-spaced"),
        pytest.param("6172.0145.0985.0003", "6172********0003", id="nik-dotted"),
        pytest.param("6172-0145-0985-0003", "6172********0003", id="nik-dashed"),
        pytest.param("'6172014509850003", "'6172********0003", id="nik-with-excel-apostrophe"),
        pytest.param("6172014509850003.0", "6172********0003.0", id="nik-as-float-text"),
        pytest.param("NIK=6172014509850003;", "NIK=6172********0003;", id="nik-inside-text"),
        pytest.param(PHONE, "+62812****7890", id="phone-e164"),
        pytest.param("6281234567890", "62812****7890", id="phone-62"),
        pytest.param("081234567890", "0812****7890", id="phone-08"),
        pytest.param("0812-3456-7890", "0812****7890", id="phone-dashed"),
        pytest.param("0812 3456 7890", "0812****7890", id="phone-spaced"),
        pytest.param("+62 812 3456 7890", "+62812****7890", id="phone-e164-spaced"),
        pytest.param("%2B6281234567890", "%2B62812****7890", id="phone-url-encoded"),
        pytest.param("0857123456", "0857****3456", id="phone-short-mobile"),
        pytest.param("HP 081234567890 / 085712345678", "HP 0812****7890 / 0857****5678", id="two-phones"),
        pytest.param("6172/0145/0985/0003", "6172********0003", id="nik-slashed"),
        pytest.param("6172\u20110145\u20110985\u20110003", "6172********0003", id="nik-non-breaking-hyphens"),
        pytest.param("6172\u00a00145\u00a00985\u00a00003", "6172********0003", id="nik-no-break-spaces"),
        pytest.param("6172 - 0145 - 0985 - 0003", "6172********0003", id="nik-spaced-dashes"),
        pytest.param("0812.3456.7890", "0812****7890", id="phone-dotted"),
        pytest.param("(0812) 3456 7890", "0812****7890", id="phone-parenthesised-prefix"),
        pytest.param("+62 (812) 3456-7890", "+62812****7890", id="phone-parenthesised-operator"),
        pytest.param("(812) 3456 7890", "812****7890", id="phone-parenthesised-operator-alone"),
        pytest.param("+62-812-3456-7890", "+62812****7890", id="phone-e164-dashed"),
        pytest.param("0812\u20113456\u20117890", "0812****7890", id="phone-non-breaking-hyphens"),
        pytest.param("0812\u20133456\u20137890", "0812****7890", id="phone-en-dashes"),
        pytest.param("0812/3456/7890", "0812****7890", id="phone-slashed"),
        pytest.param("Telp.081234567890", "Telp.0812****7890", id="phone-after-abbreviation"),
        pytest.param("SITI AMINAH (0812) 3456 7890.csv", "SITI AMINAH 0812****7890.csv", id="phone-in-file-name"),
    ],
)
def test_redact_masks_niks_and_phones(text: str, masked: str) -> None:
    assert redact(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("rows_read=8504 accepted=8400", id="counts"),
        pytest.param("sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", id="sha256"),
        pytest.param("2025-05-31T09:00:00+07:00", id="timestamp"),
        pytest.param("incoming/pekerja-rentan/daftar 2025.xlsx#3HL4kqtJlcpXroDTDmJ", id="s3-key-and-version"),
        pytest.param("6172********0003 +62812****7890", id="already-masked"),
        pytest.param("12345678901234567", id="17-digit-number"),
        pytest.param('{"duration_ms":0.8123456789,"ratio":0.6172014509850003}', id="decimals-of-floats"),
        pytest.param("2025/05/31 09:00:00.123", id="date-and-time"),
    ],
)
def test_redact_leaves_what_is_not_personal(text: str) -> None:
    assert redact(text) == text


# ------------------------------------------------------------------------------- any spelling, any text
# Between two groups of digits: what people and spreadsheets put there.
SEPARATORS = ["", " ", ".", "-", "/", "\u2011", "\u2010", "\u2013", "\u2212", "\u00a0", "\u202f", " - ", ". "]
# Text around a number: anything but digits (a digit next to it makes a longer number, not a NIK or phone),
# and not "*" (what a masked number is made of).
TEXT = st.text(st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="*"), max_size=30)


@st.composite
def niks(draw: st.DrawFn) -> tuple[str, str]:
    digits = draw(st.from_regex(r"[1-9][0-9]{15}", fullmatch=True))  # [0-9], not \d: ASCII digits only
    groups = [digits[i:i + 4] for i in range(0, 16, 4)]
    spelled = groups[0] + "".join(draw(st.sampled_from(SEPARATORS)) + g for g in groups[1:])
    return digits, spelled


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    operator = draw(st.from_regex(r"8[1-9][0-9]", fullmatch=True))
    rest = draw(st.from_regex(r"[0-9]{7,8}", fullmatch=True))
    groups = [rest[:-4], rest[-4:]]
    body = "".join(draw(st.sampled_from(SEPARATORS)) + g for g in groups)
    prefix = draw(st.sampled_from(["0{op}", "({op})", "(0{op})", "62{op}", "+62{op}", "+62 {op}", "+62 ({op})",
                                   "+62-{op}", "%2B62{op}", "0 {op}"]))
    return "0" + operator + rest, prefix.replace("{op}", operator) + body


FULL_WIDTH = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")
ASCII = str.maketrans("\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19", "0123456789")
ANY_SEPARATOR = [*SEPARATORS, "_", "+", " _ "]


def _grouped(draw: st.DrawFn, digits: str) -> str:
    """``digits`` cut anywhere (4-4-3, pairs, one run...), each cut spelled with any separator."""
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=len(digits) - 1)))
    groups = [digits[i:j] for i, j in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    return groups[0] + "".join(draw(st.sampled_from(ANY_SEPARATOR)) + g for g in groups[1:])


@st.composite
def niks_any_grouping(draw: st.DrawFn) -> tuple[str, str]:
    digits = draw(st.from_regex(r"[1-9]\d{15}", fullmatch=True).filter(str.isascii))
    spelled = _grouped(draw, digits)
    return digits, spelled.translate(FULL_WIDTH) if draw(st.booleans()) else spelled


@st.composite
def phones_any_grouping(draw: st.DrawFn) -> tuple[str, str]:
    """9 to 12 national digits (0812 345 678 to 0812 3456 78901), any prefix, any grouping, ASCII or full-width."""
    national = "8" + draw(st.from_regex(r"[1-9]\d{7,10}", fullmatch=True).filter(str.isascii))
    prefix = draw(st.sampled_from(["0", "62", "+62", "+62 ", "(+62) ", "(+62)", "0062", "0062 ", "%2B62", "+62-",
                                   "0 ", "(0"]))
    body = _grouped(draw, national)
    if prefix == "(0":
        body = body[:3] + ") " + body[3:] if body[1:3].isdigit() else body
    spelled = prefix + body
    return "0" + national, spelled.translate(FULL_WIDTH) if draw(st.booleans()) else spelled


@given(before=TEXT, number=st.one_of(niks_any_grouping(), phones_any_grouping()), after=TEXT)
def test_any_grouping_of_a_nik_or_phone_even_in_full_width_digits_is_redacted(
    before: str, number: tuple[str, str], after: str
) -> None:
    digits, spelled = number
    out = redact(f"{before} {spelled} {after}")
    left = re.sub(r"\D", "", out).translate(ASCII)  # a full-width digit left in clear counts too
    national = digits.lstrip("0")
    assert national not in left, f"{spelled!r} -> {out!r}"
    assert "****" in out


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param("0812 3456 789", "0812****6789", id="eleven-digits-4-4-3"),
        pytest.param("08 12 34 56 78 90", "0812****7890", id="pairs"),
        pytest.param("(+62) 812 3456 7890", "+62812****7890", id="country-code-in-parentheses"),
        pytest.param("0062 812 3456 7890", "0062812****7890", id="international-00"),
        pytest.param("0812_3456_7890", "0812****7890", id="underscores"),
        pytest.param("0812+3456+7890", "0812****7890", id="plus-signs"),
        pytest.param("\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10", "0812****7890",
                     id="full-width-digits"),
        pytest.param("61 72 01 45 09 85 00 03", "6172********0003", id="nik-in-pairs"),
        pytest.param("6172_0145_0985_0003", "6172********0003", id="nik-underscores"),
    ],
)
def test_redact_masks_the_spellings_people_use(text: str, masked: str) -> None:
    assert redact(text) == masked


@given(before=TEXT, number=st.one_of(niks(), phones()), after=TEXT)
def test_any_nik_or_phone_in_any_spelling_inside_any_text_is_redacted(
    before: str, number: tuple[str, str], after: str
) -> None:
    digits, spelled = number
    out = redact(f"{before} {spelled} {after}")
    left = re.sub(r"\D", "", out)  # only the number's digits: the text around it has none
    national = digits.lstrip("0")
    assert national not in left, f"{spelled!r} -> {out!r}"
    assert "****" in out


# ------------------------------------------------------------------------------- S3 keys


@pytest.mark.parametrize(
    ("key", "shape"),
    [
        pytest.param("incoming/pekerja-rentan/SITI AMINAH (0812) 3456 7890.csv",
                     r"incoming/pekerja-rentan/#[0-9a-f]{6}\.csv", id="name-and-phone"),
        pytest.param("incoming/pekerja-sawit/daftar 2025.XLSX", r"incoming/pekerja-sawit/#[0-9a-f]{6}\.xlsx",
                     id="upper-ext"),
        pytest.param("incoming/pekerja-rentan/sub folder/A. Rahman", r"incoming/pekerja-rentan/#[0-9a-f]{6}",
                     id="subfolder-no-extension"),
        pytest.param("incoming/x.pdf", r"incoming/#[0-9a-f]{6}\.pdf", id="no-program-folder"),
        pytest.param("reports/pekerja-rentan/daftar.xlsx.json", r"reports/pekerja-rentan/#[0-9a-f]{6}\.xlsx\.json",
                     id="report"),
        pytest.param("reports/pekerja-rentan/daftar.xlsx.perbaikan.xlsx",
                     r"reports/pekerja-rentan/#[0-9a-f]{6}\.xlsx\.perbaikan\.xlsx", id="fix-workbook"),
    ],
)
def test_mask_key_keeps_folder_and_extension_and_hashes_the_name(key: str, shape: str) -> None:
    masked = mask_key(key)
    assert re.fullmatch(shape, masked), masked
    assert mask_key(key) == masked, "stable"
    assert redact(masked) == masked and _clear(masked) == []


def test_a_report_key_hashes_like_its_upload_and_other_names_differ() -> None:
    from lindungi.intake.publish import report_keys

    key = "incoming/pekerja-rentan/SITI AMINAH (0812) 3456 7890.xlsx"
    digest = mask_key(key).split("#")[1][:6]
    assert [mask_key(k).split("#")[1][:6] for k in report_keys(key)] == [digest, digest]
    assert mask_key("incoming/pekerja-rentan/SITI AMINAH.xlsx").split("#")[1][:6] != digest
    assert mask_key("not/ours.csv") == "not/ours.csv"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param("incoming/p/BUDI.csv#v1", "{incoming/p/BUDI.csv}#v1", id="correlation-id"),
        pytest.param("NoSuchKey: incoming/p/BUDI SANTOSO.xlsx: gone", "NoSuchKey: {incoming/p/BUDI SANTOSO.xlsx}: gone",
                     id="inside-an-error"),
        pytest.param("key 'reports/p/BUDI.pdf.json' written", "key '{reports/p/BUDI.pdf.json}' written", id="quoted"),
        pytest.param("lists/incoming/p/x.csv", "lists/incoming/p/x.csv", id="not-at-a-key-start"),
    ],
)
def test_mask_keys_finds_keys_inside_text(text: str, masked: str) -> None:
    expected = re.sub(r"\{([^}]*)\}", lambda m: mask_key(m[1]), masked)
    assert mask_keys(text) == expected


def test_operators_can_find_a_masked_key_again(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from lindungi.ops.cli import main

    keys = ["incoming/pekerja-rentan/SITI AMINAH.xlsx", "incoming/pekerja-rentan/BUDI.csv"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(keys) + "\n"))
    assert main(["mask-key"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{mask_key(k)}\t{k}" for k in keys]


def test_an_outcome_logged_whole_carries_only_masked_keys() -> None:
    """The ingest handler logs ``outcome.to_dict()`` and sets the key as correlation id: no call site masks."""
    logger, stream = _capture()
    key = "incoming/pekerja-rentan/SITI AMINAH (0812) 3456 7890.csv"
    logger.set_correlation_id(f"{key}#3HL4kqtJlcpXroDTDmJ")
    report_key = f"reports/pekerja-rentan/{key.rsplit('/', 1)[1]}.json"
    logger.info("file processed", extra={"outcome": {"key": key, "report_key": report_key, "program": "p"}})
    line = json.loads(stream.getvalue())
    assert "SITI" not in stream.getvalue() and "AMINAH" not in stream.getvalue()
    assert line["outcome"]["key"] == mask_key(key)
    assert line["correlation_id"] == f"{mask_key(key)}#3HL4kqtJlcpXroDTDmJ"
    assert line["outcome"]["report_key"].split("#")[1] == mask_key(key).split("#")[1] + ".json"


# Indonesian names as staff type them into file and folder names: apostrophes (Nur'aini, Ma'ruf), quotes, "#".
SYLLABLES = ["Nur", "Siti", "Ami", "Rahma", "Wati", "Ruf", "Aini", "Sa", "Adah", "Dewi", "Budi", "Yanto", "Putri",
             "Agus", "Wahyu", "Qur", "Ani", "Lukman", "Hakim", "Yusuf", "Zul", "Kifli"]
VERSION = "3HL4kqtJlcpXroDTDmJ"


@st.composite
def person(draw: st.DrawFn) -> str:
    words = []
    for _ in range(draw(st.integers(1, 3))):
        first, second = draw(st.sampled_from(SYLLABLES)), draw(st.sampled_from(SYLLABLES))
        joint = draw(st.sampled_from(["", "'", "\u2019", "`"]))
        words.append(first + joint + second.lower())
    name = " ".join(words)
    return draw(st.sampled_from(["{}", '"{}"', "'{}'", "{} #2", "Daftar {}", "{} (ahli waris)", '{} "Ucok"']))\
        .format(name)


@st.composite
def upload_keys(draw: st.DrawFn) -> str:
    name = draw(person())
    extension = draw(st.sampled_from([".xlsx", ".csv", ".pdf", ".XLS", ".ods"]))
    program = draw(st.sampled_from(["pekerja-rentan", "pekerja-sawit"]))
    shape = draw(st.sampled_from(["program", "person-folder", "both"]))
    folder = "-".join(name.lower().replace("'", "").replace('"', "").split())
    return {"program": f"incoming/{program}/{name}{extension}",
            "person-folder": f"incoming/{folder}/daftar{extension}",
            "both": f"incoming/{program}/{name}/{name}{extension}"}[shape]


def _name_words(key: str) -> set[str]:
    """Runs of 3 letters or more of the key's name and folders that a hex digest could not spell."""
    rest = key.split("/", 2)[-1] if key.count("/") >= 2 else key
    words = re.findall(r"[A-Za-z]{3,}", rest.rsplit(".", 1)[0])
    return {w for w in words if re.search(r"[g-zG-Z]", w) and w.lower() not in {"daftar", "ahli", "waris", "incoming"}}


@given(key=upload_keys())
def test_keys_named_after_people_never_show_a_name_in_a_log_line(key: str) -> None:
    """The ingest function's correlation id, its outcome, an error message quoting the key and a plain message."""
    logger, stream = _capture()
    logger.set_correlation_id(f"{key}#{VERSION}")
    report_key = "reports/" + key.removeprefix("incoming/") + ".json"
    logger.info("file processed", extra={"outcome": {"key": key, "report_key": report_key}})
    logger.info(f"reading {key} took 2 s")
    try:
        raise KeyError(f"no such key {key!r}")
    except KeyError:
        logger.exception("read failed")
    output = stream.getvalue().replace(VERSION, "")
    leaked = sorted(w for w in _name_words(key) if w in output or w.lower() in output.lower())
    assert leaked == [], f"{key!r}: {leaked} in {output}"
    line = json.loads(output.splitlines()[0])
    assert line["correlation_id"] == f"{mask_key(key)}#"
    assert line["outcome"]["key"] == mask_key(key)
    assert line["outcome"]["report_key"].split("#")[1] == mask_key(key).split("#")[1] + ".json"


@pytest.mark.parametrize(
    ("key", "shape"),
    [
        pytest.param("incoming/pekerja-rentan/Daftar Nur'aini Rahmawati.xlsx", r"incoming/pekerja-rentan/#\w{6}\.xlsx",
                     id="apostrophe"),
        pytest.param("incoming/siti-aminah/daftar.xlsx", r"incoming/#\w{6}\.xlsx", id="folder-named-after-a-person"),
        pytest.param('incoming/pekerja-rentan/"SITI AMINAH".csv', r"incoming/pekerja-rentan/#\w{6}\.csv",
                     id="starts-with-a-quote"),
        pytest.param("incoming/pekerja-rentan/Ma'ruf #2.pdf", r"incoming/pekerja-rentan/#\w{6}\.pdf", id="hash-sign"),
        pytest.param("reports/rekap/2025-08-20.html", r"reports/rekap/#\w{6}\.html", id="rekap-folder-kept"),
    ],
)
def test_a_key_is_masked_whole_in_a_field_and_in_text(key: str, shape: str) -> None:
    assert re.fullmatch(shape, mask_key(key)), mask_key(key)
    in_text = mask_keys(f"cannot read {key!r}: gone")
    assert mask_key(key) in in_text and in_text.endswith(": gone") and not _name_words(key) & set(in_text.split())


def _capture(service: str = "test") -> tuple[Any, io.StringIO]:
    stream = io.StringIO()
    logger = get_logger(service)
    for handler in logger.handlers:
        handler.setStream(stream)  # type: ignore[attr-defined]
    logger.setLevel(logging.DEBUG)
    return logger, stream


def _clear(output: str) -> list[str]:
    return NIK_CLEAR.findall(output) + PHONE_CLEAR.findall(output)


def test_message_extra_and_correlation_id_are_masked() -> None:
    logger, stream = _capture()
    logger.set_correlation_id(f"incoming/pekerja-rentan/{NIK}.xlsx#v1")
    logger.info(f"row for {NIK} has phone {PHONE}", extra={"nik": NIK, "contact": {"phone": "081234567890"}})
    line = json.loads(stream.getvalue())
    assert _clear(stream.getvalue()) == []
    assert line["nik"] == "6172********0003"
    assert line["contact"]["phone"] == "0812****7890"
    assert line["correlation_id"] == f"{mask_key(f'incoming/pekerja-rentan/{NIK}.xlsx')}#v1"
    assert NIK[:4] not in line["correlation_id"], "the key's name part is hashed, not masked digit by digit"


def test_exception_message_and_traceback_are_masked() -> None:
    logger, stream = _capture()

    def store(nik: str, phone: str) -> None:
        raise ValueError(f"conditional check failed for NIK#{nik} ({phone})")

    try:
        store(NIK, PHONE)
    except ValueError:
        logger.exception("store failed")
    output = stream.getvalue()
    assert "ValueError" in output and "NIK#6172********0003" in output
    assert _clear(output) == []


def test_a_dlq_record_logged_whole_is_masked() -> None:
    """An OnFailure record (Lambda's async-invoke destination) or a reminder from the DLQ, logged as it is."""
    logger, stream = _capture()
    record = {
        "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": {"Records": [{"s3": {"object": {"key": f"incoming/pekerja-sawit/{NIK}.csv"}}}]},
        "responsePayload": {"errorMessage": f"bad phone 0812-3456-7890 for {NIK}", "errorType": "StoreError",
                            "stackTrace": [f'  File "app.py", line 1, in store\n    nik = "{NIK}"\n']},
        "notice": {"notice_id": f"{NIK}#pekerja-sawit#2025-01-01#30", "phone": PHONE, "status": "failed"},
    }
    logger.error("failed event", extra={"dlq_record": record})
    logger.error(json.dumps(record))  # and as a JSON string inside the message
    output = stream.getvalue()
    assert output.count("6172********0003") >= 6  # and twice the key, hashed: incoming/pekerja-sawit/#....csv
    assert output.count(mask_key(f"incoming/pekerja-sawit/{NIK}.csv")) == 2
    assert _clear(output) == []


def test_a_botocore_error_echoing_a_key_is_masked() -> None:
    from botocore.exceptions import ClientError

    logger, stream = _capture()
    error = ClientError({"Error": {"Code": "ConditionalCheckFailedException",
                                   "Message": f"Item {{pk: WORKER#{NIK}, phone: {PHONE}}}"}}, "PutItem")
    try:
        raise error
    except ClientError:
        logger.exception("dynamodb refused")
    assert _clear(stream.getvalue()) == []


# ------------------------------------------------------------------------------- what our code logs
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "append_keys"}
PERSONAL = {"name", "nama", "phone", "e164", "nik", "address", "alamat", "birth_date"}
SOURCES = sorted([*ROOT.glob("functions/*/app.py"), *ROOT.glob("layers/lindungi/lindungi/**/*.py")])


def _logger_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS
        and isinstance(node.func.value, ast.Name) and node.func.value.id in {"logger", "log", "LOGGER"}
    ]


def _personal_fields(call: ast.Call) -> list[str]:
    found = []
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        for node in ast.walk(arg):
            if isinstance(node, ast.Attribute) and node.attr in PERSONAL:
                found.append(f".{node.attr}")
            elif isinstance(node, ast.Name) and node.id in PERSONAL:
                found.append(node.id)
            elif isinstance(node, ast.Dict):
                found += [k.value for k in node.keys if isinstance(k, ast.Constant) and k.value in PERSONAL]
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                found += [f"[{node.slice.value!r}]"] if node.slice.value in PERSONAL else []
    return found


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_our_code_never_logs_a_name_phone_or_nik_field(source: Path) -> None:
    """Masking cannot recognise a name, so names must never reach a logger call; NIKs and phones are masked
    anyway, but our own calls should not need that."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    offenders = [(call.lineno, field) for call in _logger_calls(tree) for field in _personal_fields(call)]
    assert offenders == []


def test_the_guard_catches_a_name_in_a_logger_call() -> None:
    tree = ast.parse('logger.info("sent", extra={"name": row.name, "to": notice["phone"]})')
    assert sorted(_personal_fields(_logger_calls(tree)[0])) == [".name", "['phone']", "name"]


def test_every_function_logs_through_the_redacting_logger() -> None:
    for app in ROOT.glob("functions/*/app.py"):
        text = app.read_text(encoding="utf-8")
        assert "from lindungi.logs import get_logger" in text and "logger = get_logger(" in text, app
        assert "Logger(" not in text, f"{app}: a plain Powertools Logger would log without masking"


# ------------------------------------------------------------------------------- uncaught exceptions


def test_a_failing_handler_reaches_lambda_only_with_a_masked_error() -> None:
    """Lambda prints an uncaught exception itself and puts its message in the failure record (DLQ payload)."""
    from lindungi.logs import MaskedError, masked_errors

    logger, stream = _capture()

    @masked_errors(logger)
    def handler(event: dict[str, Any], context: object) -> None:
        raise KeyError(f"no coverage for {event['nik']} / {event['phone']}")

    with pytest.raises(MaskedError) as raised:
        handler({"nik": NIK, "phone": PHONE}, None)
    assert str(raised.value) == "KeyError: 'no coverage for 6172********0003 / +62812****7890'"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    logged = json.loads(stream.getvalue())
    assert logged["error_type"] == "KeyError" and "Traceback" in logged["exception"]
    assert _clear(stream.getvalue()) == []


@pytest.mark.parametrize("app", sorted(ROOT.glob("functions/*/app.py")), ids=lambda p: p.parent.name)
def test_every_handler_masks_what_lambda_itself_would_log(app: Path) -> None:
    text = app.read_text(encoding="utf-8")
    decorators = re.findall(r"^@.*$", text.split("def handler(", 1)[0].rsplit("\n\n\n", 1)[-1], flags=re.M)
    assert decorators and decorators[0] == "@masked_errors(logger)", f"{app}: outermost decorator {decorators[:1]}"


@pytest.mark.parametrize("unit", ["1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 x ", "6 2 8 1 2 3 4 5 6 7 8 9 0 1 2 x ",
                                  "0 8 1 2 - 3 4 . 5 6 _ 7 8 x ", "1 - 2 . 3 _ 4 + "])
def test_redaction_is_linear_in_a_line_of_spaced_digits(unit: str) -> None:
    """Digits one space apart that never make a NIK or a phone: a separator that could match a space two ways
    made every failed start try 2^15 splits (8 s for a 6 KB line), on every log line that carried them."""
    import time

    text = unit * (20_000 // len(unit))
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 1.0
