"""Report keys fit S3's 1,024-byte limit however long (and in whatever script) the upload key is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindungi.intake.keys import S3_KEY_BYTES, fit, is_folder

SUFFIXES = (".json", ".perbaikan.xlsx")
PREFIX = "reports/"


def _both(rest: str, source: str) -> list[str]:
    stem = fit(PREFIX, rest, SUFFIXES, source)
    return [stem + suffix for suffix in SUFFIXES]


@pytest.mark.parametrize(
    ("rest", "shortened"),
    [
        pytest.param("pekerja-rentan/daftar.xlsx", False, id="short"),
        pytest.param("pekerja-rentan/" + "a" * (S3_KEY_BYTES - 8 - 15 - 15), False, id="exactly-fits"),
        pytest.param("pekerja-rentan/" + "a" * (S3_KEY_BYTES - 8 - 15 - 14), True, id="one-byte-over"),
        pytest.param("pekerja-rentan/" + "é" * 600 + ".xlsx", True, id="two-byte-characters"),
        pytest.param("pekerja-rentan/" + "林" * 400 + ".csv", True, id="three-byte-characters"),
        pytest.param("pekerja-rentan/" + "x" * 990 + "." + "y" * 20, True, id="long-extension"),
    ],
)
def test_report_keys(rest: str, shortened: bool) -> None:
    keys = _both(rest, "incoming/" + rest)
    assert all(len(k.encode()) <= S3_KEY_BYTES for k in keys)
    assert (keys[0] != PREFIX + rest + ".json") is shortened
    assert keys[0].startswith("reports/pekerja-rentan/")  # still under the program's folder
    if shortened and "." in rest[-6:]:
        assert keys[0].endswith(rest[rest.rindex(".") :] + ".json")  # the upload's extension kept


@given(st.text(min_size=1, max_size=1100), st.text(max_size=40))
def test_any_upload_key_gets_report_keys_that_fit_and_are_its_own(name: str, other: str) -> None:
    rest = "pekerja-rentan/" + name
    keys = _both(rest, "incoming/" + rest)
    assert all(len(k.encode()) <= S3_KEY_BYTES for k in keys)
    assert keys[0].removesuffix(".json") == keys[1].removesuffix(".perbaikan.xlsx")
    if other and other != name:
        rest2 = "pekerja-rentan/" + name + other
        if len(rest2.encode()) > S3_KEY_BYTES - 8 - 15:  # both shortened: distinct uploads, distinct reports
            assert _both(rest2, "incoming/" + rest2)[0] != keys[0]


@pytest.mark.parametrize(("key", "folder"), [("incoming/pekerja-rentan/", True), ("incoming/", True),
                                             ("incoming/pekerja-rentan/a.xlsx", False)])
def test_folders(key: str, folder: bool) -> None:
    assert is_folder(key) is folder


# ------------------------------------------------------------------------------- no collision


def _written(upload: str) -> set[str]:
    from lindungi.intake.publish import page_key, report_keys

    return {*report_keys(upload), page_key(upload)}


def _rekap(day: str) -> set[str]:
    from lindungi.intake.keys import REKAP

    return {f"{REKAP}{day}.html", f"{REKAP}{day}.xlsx", f"{REKAP}{day}.json"}


@pytest.mark.parametrize("upload", ["incoming/rekap/2025-08-20", "incoming/rekap/2025-08-20.xlsx",
                                    "incoming/rekap/2025-08-20.", "incoming/~rekap/2025-08-20"])
def test_no_upload_reports_onto_the_rekap(upload: str) -> None:
    assert not _written(upload) & _rekap("2025-08-20")
    assert not any(k.startswith("reports/rekap/") for k in _written(upload))


def test_an_upload_named_like_a_shortened_report_gets_its_own() -> None:
    long_upload = "incoming/pekerja-rentan/" + "a" * 1_000 + ".xlsx"
    from lindungi.intake.publish import report_keys

    stem = report_keys(long_upload)[0].removesuffix(".json").removeprefix("reports/")
    assert "~" in stem
    twin = "incoming/" + stem  # fits S3, and would have reported under the same stem
    assert not _written(twin) & _written(long_upload)


SEGMENT = st.sampled_from(["rekap", "~rekap", "~~rekap", "pekerja-rentan", "a", "2025-08-20", "x.xlsx", "~", ""])


@given(st.lists(st.lists(SEGMENT, min_size=1, max_size=3).map("/".join), min_size=2, max_size=6, unique=True))
def test_distinct_uploads_write_distinct_objects_and_none_of_the_rekaps(rests: list[str]) -> None:
    uploads = ["incoming/" + r for r in rests if r and not r.endswith("/")]
    written = [_written(u) for u in uploads]
    everything = set().union(*written) if written else set()
    assert len(everything) == 3 * len(uploads)
    assert not everything & _rekap("2025-08-20")
