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
