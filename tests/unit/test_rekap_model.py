"""The rekap's definitions, one worker at a time: covered now, renewed, listed twice, both programs, no SMS."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from lindungi.config import programs
from lindungi.rekap.model import WEEKS, Cover, Rekap, week_start

TODAY = date(2025, 7, 1)  # a Tuesday
NIK = "6172014509850003"


def c(program: str, start: str, end: str, *, source: str = "a.xlsx", sms: bool = True, listed: str = "1",
      kec: str = "Singkawang Barat", phone: str = "+6281234567890") -> Cover:
    return Cover(nik=NIK, name="SITI", program=program, start=date.fromisoformat(start), end=date.fromisoformat(end),
                 kecamatan=kec, kelurahan="Melayu", sms_capable=sms, source_key=f"incoming/{program}/{source}",
                 listed_at=listed, phone=phone if sms else "")


R, S = "pekerja-rentan", "pekerja-sawit"


@pytest.mark.parametrize(
    ("covers", "expected"),
    [
        pytest.param([c(R, "2025-01-01", "2025-05-31")],
                     {"covered": {}, "ended": 1, "renewed": 0, "twice": 0, "both": 0, "no_sms": 0},
                     id="ended-not-renewed"),
        pytest.param([c(R, "2025-01-01", "2025-05-31"), c(R, "2025-06-01", "2025-10-31", source="bpu.xlsx")],
                     {"covered": {R: 1}, "ended": 1, "renewed": 1, "twice": 0, "both": 0, "no_sms": 0},
                     id="renewed-by-a-later-list"),
        pytest.param([c(R, "2025-01-01", "2025-05-31"), c(S, "2025-06-01", "2026-05-31", source="s.pdf")],
                     {"covered": {S: 1}, "ended": 1, "renewed": 1, "twice": 0, "both": 1, "no_sms": 0},
                     id="renewed-in-the-other-program-and-in-both"),
        pytest.param([c(R, "2025-03-01", "2025-07-31"), c(R, "2025-04-01", "2025-08-31", source="timur.xlsx")],
                     {"covered": {R: 1}, "ended": 0, "renewed": 0, "twice": 1, "both": 0, "no_sms": 0},
                     id="overlapping-covers-from-two-files-counted-once"),
        pytest.param([c(R, "2025-03-01", "2025-07-31"), c(R, "2025-04-01", "2025-08-31")],
                     {"covered": {R: 1}, "ended": 0, "renewed": 0, "twice": 0, "both": 0, "no_sms": 0},
                     id="overlap-within-one-file-is-not-a-double-listing"),
        pytest.param([c(R, "2025-07-01", "2025-11-30", sms=False)],
                     {"covered": {R: 1}, "ended": 0, "renewed": 0, "twice": 0, "both": 0, "no_sms": 1},
                     id="starts-today-without-a-mobile"),
        pytest.param([c(R, "2025-02-01", "2025-07-01", sms=False)],
                     {"covered": {R: 1}, "ended": 0, "renewed": 0, "twice": 0, "both": 0, "no_sms": 1},
                     id="ends-today-still-covered"),
        pytest.param([c(R, "2025-01-01", "2025-05-31", sms=False, listed="1"),
                      c(R, "2025-06-01", "2025-10-31", sms=True, listed="2", source="b.xlsx")],
                     {"covered": {R: 1}, "ended": 1, "renewed": 1, "twice": 0, "both": 0, "no_sms": 0},
                     id="a-later-list-gave-a-mobile"),
        pytest.param([c(R, "2025-08-01", "2025-12-31")],
                     {"covered": {}, "ended": 0, "renewed": 0, "twice": 0, "both": 0, "no_sms": 0},
                     id="not-started-yet"),
    ],
)
def test_one_worker(covers: list[Cover], expected: dict[str, Any]) -> None:
    rekap = Rekap(today=TODAY, programs=programs())
    rekap.add_worker(list(reversed(covers)))  # any order
    total = rekap.renewal()
    assert {"covered": dict(rekap.covered), "ended": total.ended, "renewed": total.renewed,
            "twice": len(rekap.listed_twice), "both": len(rekap.both_programs), "no_sms": len(rekap.no_sms)} == expected


def test_covers_ending_are_counted_per_week_for_the_next_twelve_weeks() -> None:
    rekap = Rekap(today=TODAY, programs=programs())
    first = week_start(TODAY)
    assert first == date(2025, 6, 30) and len(rekap.weeks) == WEEKS
    ends = ["2025-07-01", "2025-07-06", "2025-07-07", "2025-09-21", "2025-09-22", "2025-06-30"]
    for n, end in enumerate(ends):
        rekap.add_worker([Cover(nik=f"{n}", name="X", program=R, start=date(2025, 2, 1),
                                end=date.fromisoformat(end), kecamatan="", kelurahan="", sms_capable=True,
                                source_key="k", listed_at="1")])
    # 30-06 has ended (yesterday); 22-09 is the Monday after the twelfth week.
    assert dict(rekap.ending) == {(date(2025, 6, 30), R): 2, (date(2025, 7, 7), R): 1, (date(2025, 9, 15), R): 1}


def test_a_failed_number_counts_only_while_it_is_still_the_workers_number() -> None:
    from lindungi.rekap.model import FailedNumber

    rekap = Rekap(today=TODAY, programs=programs())
    rekap.unreachable["+6281234567890"] = FailedNumber("+6281234567890", NIK, "UNKNOWN_SUBSCRIBER", "2025-06-01")
    rekap.add_worker([c(R, "2025-06-01", "2025-10-31")])
    rekap.add_worker([c(R, "2025-02-01", "2025-06-30", listed="1"),
                      c(R, "2025-06-01", "2025-10-31", listed="2", phone="+6281299998888", source="b.xlsx")])
    assert [x.detail for x in rekap.failed_numbers] == ["UNKNOWN_SUBSCRIBER"]


def _report_json(layout: str, duplicate: bool) -> bytes:
    from lindungi.intake.check import check
    from tests.builders import HEADER, SITI, xlsx

    report = check(xlsx({"Kec. Barat": [HEADER, ["1", SITI, "SITI", "", "", "", "01-01-2025"],
                                         ["2", "123", "BUDI", "", "", "", "01-01-2025"]]}),
                   "d.xlsx", R, today=TODAY)
    extra = {"duplicate_of": "incoming/pekerja-rentan/a.xlsx", "stored": False} if duplicate else None
    if layout == "one-row-a-line":
        return "".join(report.json_chunks(extra)).encode()
    return json.dumps(report.to_dict() | (extra or {})).encode()


class _S3:
    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects

    def get_paginator(self, _: str) -> _S3:
        return self

    def paginate(self, **_: Any) -> list[dict[str, Any]]:
        return [{"Contents": [{"Key": k} for k in self.objects]}]

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        import io

        from botocore.response import StreamingBody

        data = self.objects[Key]
        return {"Body": StreamingBody(io.BytesIO(data), len(data))}


@pytest.mark.parametrize("layout", ["one-row-a-line", "one-line"])
@pytest.mark.parametrize("duplicate", [False, True], ids=["stored", "duplicate-of-another-name"])
def test_the_uploads_reports_say_who_listed_whom(layout: str, duplicate: bool) -> None:
    from lindungi.rekap.listings import read_listings

    s3 = _S3({"reports/pekerja-rentan/a.xlsx.json": _report_json(layout, False),
              "reports/pekerja-rentan/b.xlsx.json": _report_json(layout, duplicate),
              "reports/pekerja-rentan/b.xlsx.html": b"<html>", "reports/rekap/2025-07-01.xlsx": b""})
    listings = read_listings(s3, "bucket")
    assert listings.reports == 2
    twice = listings.twice("6172014509850003")
    assert [x.file for x in twice] == ([] if duplicate else ["a.xlsx", "b.xlsx"])
    assert all(x.sheet == "Kec. Barat" and x.start == date(2025, 1, 1) for x in twice)


@pytest.mark.parametrize(
    ("later_start", "renewed"),
    [
        pytest.param("2025-03-31", False, id="61-days-before-the-end"),
        pytest.param("2025-04-01", True, id="60-days-before-the-end-overlapping"),
        pytest.param("2025-06-01", True, id="the-day-after"),
        pytest.param("2025-06-10", True, id="a-gap-of-nine-days"),
        pytest.param("2025-08-29", True, id="90-days-after-the-end"),
        pytest.param("2025-08-30", False, id="91-days-after-the-end-a-new-enrolment"),
    ],
)
def test_renewed_is_a_later_cover_in_the_window(later_start: str, renewed: bool) -> None:
    rekap = Rekap(date(2025, 12, 1), programs())
    later = date.fromisoformat(later_start)
    rekap.add_worker([c(R, "2025-01-01", "2025-05-31"), c(S, later_start, str(later.replace(year=2026)))])
    assert rekap.cohorts[(R, date(2025, 1, 1))].renewed == int(renewed)
