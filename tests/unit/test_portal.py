"""The portal's rules without AWS: who a token makes a user, what each role may read, the presigned POST's policy
(moto does not enforce it, so the document itself is held here), the CSRF tokens and the pages' CSP.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from lindungi.config import programs
from lindungi.intake import keys
from lindungi.portal import pages
from lindungi.portal.auth import csrf_ok, csrf_token, pre_ok
from lindungi.portal.people import clean_nik
from lindungi.portal.roles import Role, Staff
from lindungi.portal.uploads import upload_form
from lindungi_dev.emulator.template import load_template

OFFICE = Staff("pasiran", Role.OFFICE, "kel-pasiran")
CITY = Staff("dinas", Role.CITY, None)
BRANCH = Staff("cabang", Role.BRANCH, None)
OPERATOR = Staff("ops", Role.OPERATOR, None)


@pytest.mark.parametrize(("claims", "expected"), [
    pytest.param({"cognito:username": "a", "cognito:groups": ["kantor"], "custom:office": "kel-pasiran"},
                 Staff("a", Role.OFFICE, "kel-pasiran"), id="office"),
    pytest.param({"cognito:username": "a", "cognito:groups": ["kota"]}, Staff("a", Role.CITY, None), id="city"),
    pytest.param({"cognito:username": "a", "cognito:groups": ["kota"], "custom:office": "kel-pasiran"},
                 Staff("a", Role.CITY, None), id="city-ignores-an-office"),
    pytest.param({"cognito:username": "a"}, None, id="no-group"),
    pytest.param({"cognito:username": "a", "cognito:groups": []}, None, id="empty-groups"),
    pytest.param({"cognito:username": "a", "cognito:groups": ["admin"]}, None, id="unknown-group"),
    pytest.param({"cognito:username": "a", "cognito:groups": ["kantor", "kota"]}, None, id="two-roles"),
    pytest.param({"cognito:username": "a", "cognito:groups": ["kantor"]}, None, id="office-without-office"),
    pytest.param({"cognito:username": "a", "cognito:groups": ["kantor"], "custom:office": "../kel-roban"},
                 None, id="office-with-a-path"),
    pytest.param({"cognito:username": "a", "cognito:groups": ["kantor"], "custom:office": "Kel Pasiran"},
                 None, id="office-not-an-id"),
    pytest.param({"cognito:groups": ["kota"]}, None, id="no-username"),
])
def test_a_token_makes_a_user_of_exactly_one_role_or_none(claims: dict[str, Any], expected: Staff | None) -> None:
    assert Staff.from_claims(claims) == expected


R = "reports/pekerja-rentan/"


@pytest.mark.parametrize(("staff", "key", "allowed"), [
    pytest.param(OFFICE, R + "kel-pasiran/x.xlsx.html", True, id="office-own-page"),
    pytest.param(OFFICE, R + "kel-pasiran/x.xlsx.perbaikan.xlsx", True, id="office-own-workbook"),
    pytest.param(OFFICE, R + "kel-roban/x.xlsx.html", False, id="office-other-office"),
    pytest.param(OFFICE, R + "x.xlsx.html", False, id="office-console-upload"),
    pytest.param(OFFICE, R + "kel-pasiran/../kel-roban/x.html", False, id="office-dot-dot"),
    pytest.param(OFFICE, R + "kel-pasiran//x.html", False, id="office-double-slash"),
    pytest.param(OFFICE, R + "kel-pasiran/sub/x.html", False, id="office-deeper-folder"),
    pytest.param(OFFICE, "reports/rekap/2026-12-06.html", False, id="office-rekap"),
    pytest.param(OFFICE, "incoming/pekerja-rentan/kel-pasiran/x.xlsx", False, id="office-the-upload-itself"),
    pytest.param(CITY, R + "kel-roban/x.xlsx.html", True, id="city-any-office"),
    pytest.param(CITY, R + "x.xlsx.html", True, id="city-console-upload"),
    pytest.param(CITY, "reports/rekap/2026-12-06.html", True, id="city-rekap"),
    pytest.param(CITY, "incoming/pekerja-rentan/x.xlsx", False, id="city-not-uploads"),
    pytest.param(BRANCH, R + "kel-roban/x.xlsx.html", False, id="branch-no-lists"),
    pytest.param(BRANCH, "reports/rekap/2026-12-06.xlsx", True, id="branch-rekap"),
    pytest.param(OPERATOR, R + "kel-roban/x.xlsx.html", True, id="operator-any-office"),
])
def test_every_object_is_checked_against_the_users_scope(staff: Staff, key: str, allowed: bool) -> None:
    assert staff.may_read(key) is allowed


@pytest.mark.parametrize(("key", "office"), [
    ("incoming/pekerja-rentan/kel-pasiran/x.xlsx", "kel-pasiran"),
    ("reports/pekerja-rentan/kel-pasiran/x.xlsx.json", "kel-pasiran"),
    ("incoming/pekerja-rentan/x.xlsx", None),
    ("incoming/pekerja-rentan/Kel Pasiran/x.xlsx", None),
    ("incoming/pekerja-rentan/a/b/x.xlsx", None),
    ("incoming/pekerja-rentan/kel-pasiran/", None),
    ("other/pekerja-rentan/kel-pasiran/x.xlsx", None),
])
def test_the_office_of_a_key(key: str, office: str | None) -> None:
    assert keys.office_from_key(key) == office


def test_only_an_office_asks_for_another_offices_riwayat_and_gets_its_own() -> None:
    assert OFFICE.riwayat_office("kel-roban") == "kel-pasiran"
    assert CITY.riwayat_office("kel-roban") == "kel-roban"
    assert CITY.riwayat_office("../x") is None
    assert BRANCH.riwayat_office("kel-roban") is None


def _s3() -> Any:
    return boto3.client("s3", region_name="ap-southeast-3", aws_access_key_id="AKIAEXAMPLE",
                        aws_secret_access_key="secret", config=boto3.session.Config(signature_version="s3v4"))


def test_the_presigned_post_policy_fixes_the_folder_size_encryption_uploader_and_return() -> None:
    now = datetime(2026, 12, 6, 3, 15, 30, tzinfo=UTC)
    form = upload_form(_s3(), "lindungi-lists", OFFICE, "pekerja-sawit", data_key_arn="arn:aws:kms:r:1:key/k",
                       max_bytes=50 * 2**20, redirect="https://portal.example/unggah/selesai", now=now)
    policy = form.policy()
    conditions = policy["conditions"]
    prefix = "incoming/pekerja-sawit/kel-pasiran/20261206-101530-"
    assert ["starts-with", "$key", prefix] in conditions
    assert ["content-length-range", 1, 50 * 2**20] in conditions
    assert {"x-amz-server-side-encryption": "aws:kms"} in conditions
    assert {"x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:r:1:key/k"} in conditions
    assert {"x-amz-meta-uploader": "pasiran"} in conditions
    assert {"success_action_redirect": "https://portal.example/unggah/selesai"} in conditions
    assert {"bucket": "lindungi-lists"} in conditions
    # nothing lets the key out of the office's folder: no other condition on it, and no starts-with "" anywhere
    on_key = [c for c in conditions if isinstance(c, list) and "$key" in c] + [c for c in conditions if "key" in c]
    assert on_key and all(c == ["starts-with", "$key", prefix] for c in on_key)  # boto3 adds the same one
    assert not any(isinstance(c, list) and c[0] == "starts-with" and c[2] == "" for c in conditions)
    assert form.fields["key"] == prefix + "${filename}"
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert 0 < (expires - datetime.now(UTC)).total_seconds() <= 3600
    for name in ("x-amz-server-side-encryption", "x-amz-meta-uploader", "success_action_redirect", "policy",
                 "x-amz-signature", "x-amz-credential", "x-amz-algorithm"):
        assert name in form.fields, name


@pytest.mark.parametrize("staff", [CITY, BRANCH, OPERATOR], ids=lambda s: s.role.value)
def test_only_an_office_gets_an_upload_form(staff: Staff) -> None:
    with pytest.raises(ValueError):
        upload_form(_s3(), "b", staff, "pekerja-rentan", data_key_arn="k", max_bytes=1, redirect="https://x/")


def test_the_max_upload_is_the_stacks_ingestion_limit() -> None:
    env = load_template()["Resources"]["PortalFunction"]["Properties"]["Environment"]["Variables"]
    ingest = load_template()["Resources"]["IngestFunction"]["Properties"]["Environment"]["Variables"]
    assert env["MAX_FILE_MB"] == ingest["MAX_FILE_MB"] == {"Ref": "MaxFileMB"}


def test_csrf_tokens_are_bound_to_the_session() -> None:
    token = csrf_token("session-a")
    assert csrf_ok("session-a", token)
    assert not csrf_ok("session-b", token)
    assert not csrf_ok("session-a", "")
    assert not csrf_ok(None, token)
    assert not csrf_ok("session-a", token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not pre_ok(None, None) and not pre_ok("a", "b") and pre_ok("a", "a")


def test_the_portals_pages_allow_their_style_by_hash_and_no_script() -> None:
    page = pages.document("Judul", "<p>isi</p>", OFFICE, "csrf")
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style
    digest = "sha256-" + base64.b64encode(hashlib.sha256(style[1].encode()).digest()).decode()
    policy = pages.csp(("https://bucket.s3.amazonaws.com",))
    assert f"style-src '{digest}'" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "form-action 'self' https://bucket.s3.amazonaws.com" in policy
    assert "<script" not in page and " style=" not in page


@pytest.mark.parametrize(("text", "nik"), [
    ("6172014509850003", "6172014509850003"),
    (" 6172 0145 0985 0003 ", "6172014509850003"),
    ("6172.0145.0985.0003", "6172014509850003"),
    ("617201450985000", None),
    ("61720145098500031", None),
    ("6172O14509850003", None),
    ("６１７２０１４５０９８５０００３", None),
    ("", None),
])
def test_a_nik_as_staff_type_it(text: str, nik: str | None) -> None:
    assert clean_nik(text) == nik


def test_the_console_policy_keeps_each_office_to_its_own_folders() -> None:
    policy = load_template()["Resources"]["ConsoleStaffPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    by_sid = {s["Sid"]: s for s in policy}
    assert by_sid["PutOwnOfficesLists"]["Action"] == ["s3:PutObject"]
    assert by_sid["PutOwnOfficesLists"]["Resource"]["Fn::Sub"].endswith(
        "/incoming/*/${!aws:PrincipalTag/office}/*")
    assert by_sid["ReadOwnOfficesReports"]["Action"] == ["s3:GetObject"]
    assert by_sid["ReadOwnOfficesReports"]["Resource"]["Fn::Sub"].endswith(
        "/reports/*/${!aws:PrincipalTag/office}/*")
    prefixes = by_sid["BrowseTheFolders"]["Condition"]["StringLike"]["s3:prefix"]
    plain = [p for p in prefixes if isinstance(p, str)]
    # every program's folder can be opened (office folder names only), and nothing broader than that
    assert sorted(plain) == sorted(["", "incoming/", "reports/", *(f"{top}{p}/" for top in ("incoming/", "reports/")
                                                                   for p in programs().by_id)])
    assert not any("*" in p for p in plain)
    assert by_sid["UseDataKeyThroughS3"]["Condition"]["StringEquals"]["kms:ViaService"]


def test_a_workers_record_reads_in_indonesian_with_every_number_masked() -> None:
    from datetime import date

    from lindungi.lookup.worker import CoverView, NoticeView, NumberView, WorkerRecord
    from lindungi.outcomes import NOTICE_LABELS
    from lindungi.portal.people import render

    notices = [NoticeView(30, "delivered", carrier_at="2025-04-26T02:00:00+00:00"),
               NoticeView(7, "carrier_failed", outcome_at="2025-05-22T02:00:00+00:00",
                          carrier_reason="Phone is currently unreachable/unavailable"),
               NoticeView(1, "opted_out", outcome_at="2025-05-29T02:00:00+00:00")]
    cover = CoverView("pekerja-rentan", "2025-01-01", "2025-05-31", "<b>SITI</b>", "+62812****7890", True,
                      "2025-01-05T03:00:00+00:00",
                      "incoming/pekerja-rentan/kel-pasiran/20250105-100000-Daftar Pasiran.xlsx", "2025-06-01",
                      notices, [])
    record = WorkerRecord("6172014509850003", [cover], [NumberView("+62812****7890", True, "portal:cabang", False,
                                                                    None, None)], "+62812****7890", 2)

    class Settings:
        max_file_bytes = 1

    class FakePortal:
        programs = programs()
        settings = Settings()

    html = render(record, BRANCH, "csrf", FakePortal(), today=date(2025, 6, 15))
    for status in ("delivered", "carrier_failed", "opted_out"):
        assert NOTICE_LABELS[status] in html
    assert "HP sedang tidak aktif" in html and "unreachable" not in html
    assert "Pekerja Rentan" in html and "Diperpanjang dengan TMT 01-06-2025" in html
    assert "Daftar Pasiran.xlsx" in html and "20250105-100000" not in html, "the list as the clerk named it"
    assert "Kel. Pasiran" in html and "kel-pasiran" not in html, "the office by its name"
    assert "6172********0003" in html and "&lt;b&gt;SITI&lt;/b&gt;" in html and "<b>SITI" not in html
    assert 'id="optout-0"' not in html  # already opted out: nothing to press
    assert 'id="new-number"' in html
    assert 'id="new-number"' not in render(record, CITY, "csrf", FakePortal(), today=date(2025, 6, 15))


def test_the_totp_check_asks_cognito_once_per_session_and_minutes_and_wants_the_same_user() -> None:
    from lindungi.portal.auth import MFA_CHECK_SECONDS, MfaCheck

    asked: list[str] = []

    class Users:
        def totp_user(self, access_token: str) -> tuple[str, bool]:
            asked.append(access_token)
            return {"a": ("dinas", True), "b": ("cabang", False)}[access_token]

    check = MfaCheck(Users())
    assert check.holds("a", "dinas", now=0.0) and check.holds("a", "dinas", now=1.0)
    assert asked == ["a"]
    assert not check.holds("a", "cabang", now=2.0)  # another user's access token beside the ID token
    assert not check.holds("b", "cabang", now=2.0)  # no TOTP
    assert not check.holds(None, "dinas", now=2.0)
    check.holds("a", "dinas", now=MFA_CHECK_SECONDS + 1)
    assert asked == ["a", "b", "a"]
