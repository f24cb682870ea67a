"""The staff portal on moto: real function-URL events (payload 2.0) into its routes, moto's Cognito users and
tokens, the stack's bucket and tables. For every rule, the outsider it keeps out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import boto3
import jwt
import pytest
from botocore.config import Config
from cryptography.hazmat.primitives.asymmetric import rsa

from lindungi.config import programs
from lindungi.intake.ingest import Upload
from lindungi.portal.auth import ACCESS_COOKIE, ID_COOKIE, Cognito, Verifier, jwks_keys
from lindungi.portal.session import Portal
from lindungi.settings import PortalSettings
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import REGION, ROOT, Stack
from lindungi_dev.grants import Call, CallRecorder, missing_grants
from tests.builders import (
    HEADER,
    PORTAL_HOST,
    SCRIPT_NAME,
    SITI,
    Browser,
    Env,
    coverage,
    fail_on,
    ingestor_on,
    moto_jwks,
    staff_pool,
    staff_user,
    visible_text,
    xlsx,
)

PASSWORD = "Sandi-Rahasia-2026"
OFFICE, OTHER = "kel-pasiran", "kel-roban"


@pytest.fixture
def jwks_url() -> Iterator[str]:
    """moto's keys served over HTTP, as moto's server serves them: the portal fetches them with PyJWKClient."""
    body = json.dumps(moto_jwks()).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/pool/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
def portal(aws: Stack, jwks_url: str) -> Portal:
    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool_id, client_id = staff_pool(cognito)
    staff_user(cognito, pool_id, "pasiran", PASSWORD, "kantor", OFFICE)
    staff_user(cognito, pool_id, "roban", PASSWORD, "kantor", OTHER)
    staff_user(cognito, pool_id, "baru", PASSWORD, "kantor", OFFICE, first_password=True)
    staff_user(cognito, pool_id, "dinas", PASSWORD, "kota")
    staff_user(cognito, pool_id, "cabang", PASSWORD, "bpjs")
    staff_user(cognito, pool_id, "tanpa-peran", PASSWORD, None)
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    settings = PortalSettings(
        workers_table=aws.physical("WorkersTable"), notices_table=aws.physical("NoticesTable"),
        bucket=aws.physical("UploadBucket"), client_id=client_id, issuer=issuer,
        jwks_url=jwks_url, data_key_arn=f"arn:aws:kms:{REGION}:123456789012:key/data", max_file_bytes=50 * 2**20)
    return Portal(settings, boto3.client("s3", region_name=REGION, config=Config(signature_version="s3v4")),
                  boto3.client("dynamodb", region_name=REGION), Cognito(cognito, client_id),
                  Verifier(issuer, client_id, jwks_keys(jwks_url)), programs())


def signed_in(portal: Portal, username: str) -> Browser:
    browser = Browser(portal)
    page = browser.get("/masuk")
    answer = browser.post("/masuk", {"username": username, "password": PASSWORD,
                                     "pre": browser.form_value(page, "pre")})
    assert answer["statusCode"] == 303 and answer["headers"]["Location"] == "/", answer
    return browser


def with_totp(portal: Portal, username: str) -> Browser:
    """A user of a role that needs TOTP: set it up (moto accepts the code), then sign in with a code."""
    browser = Browser(portal)
    page = browser.get("/masuk")
    answer = browser.post("/masuk", {"username": username, "password": PASSWORD,
                                     "pre": browser.form_value(page, "pre")})
    assert answer["headers"]["Location"] == "/mfa" and ID_COOKIE not in browser.jar
    setup = browser.get("/mfa")
    assert 'id="totp-secret"' in setup["body"]
    done = browser.post("/mfa", {"code": "123456", "pre": browser.form_value(setup, "pre")})
    assert done["headers"]["Location"] == "/masuk?info=mfa"
    page = browser.get("/masuk")
    answer = browser.post("/masuk", {"username": username, "password": PASSWORD,
                                     "pre": browser.form_value(page, "pre")})
    assert answer["headers"]["Location"] == "/masuk/kode"
    code_page = browser.get("/masuk/kode")
    answer = browser.post("/masuk/kode", {"code": "123456", "pre": browser.form_value(code_page, "pre")})
    assert answer["headers"]["Location"] == "/" and ID_COOKIE in browser.jar
    return browser


def ingest(aws: Stack, key: str, data: bytes, uploader: str = "pasiran") -> None:
    """An upload as the browser's presigned POST leaves it, then ingestion's run on its event."""
    s3 = boto3.client("s3", region_name=REGION)
    bucket = aws.physical("UploadBucket")
    version = s3.put_object(Bucket=bucket, Key=key, Body=data, Metadata={"uploader": uploader})["VersionId"]
    ingestor_on(aws, expires_after_days=90).process(
        Upload(bucket, key, version, len(data), "2026-12-06T03:15:30.000Z"))


def a_list(name: str = "SITI AMINAH", nik: str = SITI) -> bytes:
    return xlsx({"Daftar": [HEADER, ["1", nik, name, "081234567890", "05-09-1985", "P", "01-01-2026"]]})


# ------------------------------------------------------------------------------------------------ signing in


def test_the_handler_serves_the_sign_in_page_from_the_templates_environment(lambdas: LambdaRunner) -> None:
    event = json.loads((ROOT / "events" / "portal-get.json").read_text())
    event.update(rawPath="/masuk", cookies=[])
    event["requestContext"]["http"]["path"] = "/masuk"
    answer = lambdas.invoke("PortalFunction", event)
    assert answer["statusCode"] == 200 and 'id="signin"' in answer["body"]
    assert answer["headers"]["Content-Type"].startswith("text/html")
    assert any(c.startswith("lindungi_pre=") and "HttpOnly" in c for c in answer["cookies"])



def test_first_sign_in_changes_the_password_then_the_session_opens_the_menu(portal: Portal) -> None:
    browser = Browser(portal)
    page = browser.get("/masuk")
    assert page["statusCode"] == 200 and "Content-Security-Policy" in page["headers"]
    answer = browser.post("/masuk", {"username": "baru", "password": PASSWORD, "pre": browser.form_value(page, "pre")})
    assert answer["headers"]["Location"] == "/masuk/sandi-baru" and ID_COOKIE not in browser.jar
    form = browser.get("/masuk/sandi-baru")
    mismatch = browser.post("/masuk/sandi-baru", {"new_password": "Sandi-Baru-2026", "new_password_again": "lain",
                                                  "pre": browser.form_value(form, "pre")})
    assert mismatch["statusCode"] == 400 and "tidak sama" in mismatch["body"]
    answer = browser.post("/masuk/sandi-baru", {"new_password": "Sandi-Baru-2026",
                                                "new_password_again": "Sandi-Baru-2026",
                                                "pre": browser.form_value(form, "pre")})
    assert answer["headers"]["Location"] == "/"
    home = browser.get("/")
    assert home["statusCode"] == 200 and 'href="/unggah"' in home["body"] and 'href="/peserta"' not in home["body"]
    cookies = [c for c in answer["cookies"] if c.startswith((ID_COOKIE, ACCESS_COOKIE))]
    assert len(cookies) == 2 and all("HttpOnly" in c and "Secure" in c and "SameSite=Strict" in c for c in cookies)


def test_a_wrong_password_is_refused_and_gives_no_session(portal: Portal) -> None:
    browser = Browser(portal)
    page = browser.get("/masuk")
    answer = browser.post("/masuk", {"username": "pasiran", "password": "salah-sekali-123",
                                     "pre": browser.form_value(page, "pre")})
    assert answer["statusCode"] == 401 and "salah" in answer["body"] and ID_COOKIE not in browser.jar


def test_the_sign_in_form_without_its_pre_token_is_refused(portal: Portal) -> None:
    browser = Browser(portal)
    browser.get("/masuk")
    answer = browser.post("/masuk", {"username": "pasiran", "password": PASSWORD, "pre": "tebakan"})
    assert answer["statusCode"] == 400 and ID_COOKIE not in browser.jar


@pytest.mark.parametrize("path", ["/", "/unggah", "/riwayat", "/peserta", "/rekap/",
                                  "/laporan/pekerja-rentan/kel-pasiran/x.html", "/contoh-daftar-peserta.xlsx"])
def test_no_page_without_a_session(portal: Portal, path: str) -> None:
    answer = Browser(portal).get(path)
    assert answer["statusCode"] == 303 and answer["headers"]["Location"].startswith("/masuk")


def test_s3s_redirect_without_cookies_hops_same_site_once_then_asks_for_sign_in(aws: Stack, portal: Portal) -> None:
    # A browser sends no SameSite=Strict cookie on S3's cross-site 303: the landing page reloads itself from
    # the portal's origin (which carries them), and shows nothing of the upload before that.
    key = f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx"
    ingest(aws, key, a_list())
    hop = Browser(portal).get(f"/unggah/selesai?bucket=b&key={key}&etag=x")
    assert hop["statusCode"] == 200 and "daftar" not in hop["body"].split("url=")[0]
    assert f'content="0;url=/unggah/selesai?bucket=b&amp;key={key}&amp;etag=x&amp;lanjut=1"' in hop["body"]
    assert "diterima" not in hop["body"]
    again = Browser(portal).get(f"/unggah/selesai?bucket=b&key={key}&etag=x&lanjut=1")
    assert again["statusCode"] == 303 and again["headers"]["Location"].startswith("/masuk")
    mine = signed_in(portal, "pasiran").get(f"/unggah/selesai?bucket=b&key={key}&etag=x&lanjut=1")
    assert mine["statusCode"] == 200 and 'id="open-report"' in mine["body"]


def _token(claims: dict[str, Any], key: Any, kid: str = "dummy") -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _moto_private_key() -> Any:
    import gzip
    from pathlib import Path

    import moto.cognitoidp

    path = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"
    return jwt.PyJWK(json.loads(gzip.decompress(path.read_bytes()))).key


@pytest.mark.parametrize("case", ["expired", "forged", "other_client", "access_token", "other_issuer", "garbage"])
def test_an_expired_forged_or_misdirected_token_is_refused(portal: Portal, case: str) -> None:
    now = int(time.time())
    claims = {"iss": portal.settings.issuer, "aud": portal.settings.client_id, "token_use": "id", "iat": now,
              "exp": now + 600, "cognito:username": "pasiran", "cognito:groups": ["kantor"],
              "custom:office": OFFICE}
    key = _moto_private_key()
    token = {
        "expired": lambda: _token({**claims, "iat": now - 7200, "exp": now - 3600}, key),
        "forged": lambda: _token(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "other_client": lambda: _token({**claims, "aud": "another-client"}, key),
        "access_token": lambda: _token({**claims, "token_use": "access"}, key),
        "other_issuer": lambda: _token({**claims, "iss": "https://cognito-idp.us-east-1.amazonaws.com/x"}, key),
        "garbage": lambda: "not-a-token",
    }[case]()
    browser = Browser(portal)
    browser.jar[ID_COOKIE] = token
    answer = browser.get("/")
    assert answer["statusCode"] == 303 and answer["headers"]["Location"] == "/masuk?info=habis"
    # the same claims, properly signed and fresh, are let in: the refusal is the case's, not the test's
    browser.jar[ID_COOKIE] = _token(claims, key)
    assert browser.get("/")["statusCode"] == 200


def test_a_user_in_no_group_is_signed_in_but_sees_no_data(portal: Portal) -> None:
    browser = signed_in(portal, "tanpa-peran")
    for path in ("/", "/riwayat", "/peserta", "/rekap/"):
        answer = browser.get(path)
        assert answer["statusCode"] == 403 and "belum diberi peran" in answer["body"], path


def test_the_city_gets_no_session_without_totp_and_one_with_it(portal: Portal) -> None:
    browser = with_totp(portal, "dinas")
    assert 'href="/rekap/"' in browser.get("/")["body"]


def test_a_city_token_fetched_with_only_the_password_opens_nothing(portal: Portal) -> None:
    """The portal gives the city a session only after TOTP; a token the user asks Cognito for directly (the
    app client is public) verifies, so each request of that role checks the user has TOTP behind it."""
    cognito = portal.cognito.client
    tokens = cognito.initiate_auth(ClientId=portal.settings.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "dinas", "PASSWORD": PASSWORD})["AuthenticationResult"]
    browser = Browser(portal)
    browser.jar.update({ID_COOKIE: tokens["IdToken"], ACCESS_COOKIE: tokens["AccessToken"]})
    assert browser.get("/")["statusCode"] == 303
    # another user's access token with TOTP beside it does not help either
    other = with_totp(portal, "cabang")
    browser.jar[ACCESS_COOKIE] = other.jar[ACCESS_COOKIE]
    assert browser.get("/rekap/")["statusCode"] == 303
    assert other.get("/")["statusCode"] == 200


def test_sign_out_revokes_what_the_city_holds(portal: Portal) -> None:
    browser = with_totp(portal, "dinas")
    kept = dict(browser.jar)
    browser.post("/keluar", {"csrf": browser.form_value(browser.get("/"), "csrf")})
    copy = Browser(portal)
    copy.jar.update(kept)  # the cookies copied out before sign-out
    portal.mfa.seen.clear()  # another container, or five minutes later
    assert copy.get("/")["statusCode"] == 303


def test_sign_out_needs_the_csrf_token_then_clears_the_session(portal: Portal) -> None:
    browser = signed_in(portal, "pasiran")
    assert browser.post("/keluar", {"csrf": "salah"})["statusCode"] == 400
    assert ID_COOKIE in browser.jar
    home = browser.get("/")
    answer = browser.post("/keluar", {"csrf": browser.form_value(home, "csrf")})
    assert answer["headers"]["Location"] == "/masuk?info=keluar" and ID_COOKIE not in browser.jar
    assert browser.get("/")["statusCode"] == 303


def test_passwords_and_tokens_are_never_logged(portal: Portal, caplog: pytest.LogCaptureFixture) -> None:
    browser = signed_in(portal, "pasiran")
    home = browser.get("/")
    browser.post("/keluar", {"csrf": browser.form_value(home, "csrf")})
    wrong = Browser(portal)
    page = wrong.get("/masuk")
    wrong.post("/masuk", {"username": "pasiran", "password": "Salah-Sandi-999", "pre": wrong.form_value(page, "pre")})
    text = "\n".join(str(record.__dict__) for record in caplog.records)
    assert "signed in" in text and "sign-in refused" in text  # the portal did log: it logged no secret
    for secret in (PASSWORD, "Salah-Sandi-999", browser.form_value(home, "csrf")):
        assert secret not in text
    assert "eyJ" not in text  # no JWT, whichever


# ------------------------------------------------------------------------------------------------ scopes


def test_an_office_reads_its_own_reports_and_never_another_offices(aws: Stack, portal: Portal,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    ingest(aws, f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx", a_list())
    ingest(aws, f"incoming/pekerja-rentan/{OTHER}/20261206-101600-daftar.xlsx",
           a_list(nik="6172051203900007", name="BUDI"), uploader="roban")
    mine = signed_in(portal, "pasiran")
    own = f"/laporan/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx.html"
    assert mine.get(own)["statusCode"] == 200
    audited = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"report view"' in line]
    assert [(a["who"], a["office"], a["what"]) for a in audited] == [("pasiran", OFFICE, "page")]
    assert "daftar" not in audited[0]["key"]  # the file name is masked as in every log line
    theirs = f"/laporan/pekerja-rentan/{OTHER}/20261206-101600-daftar.xlsx.html"
    for path in (theirs, theirs.replace(".html", ".perbaikan.xlsx"),
                 "/laporan/pekerja-rentan/20261206-101600-daftar.xlsx.html",  # a console upload: city only
                 f"/unggah/selesai?key=incoming/pekerja-rentan/{OTHER}/20261206-101600-daftar.xlsx",
                 f"/unggah/selesai?key=incoming/pekerja-rentan/{OFFICE}/../{OTHER}/20261206-101600-daftar.xlsx",
                 "/rekap/", "/peserta"):
        answer = mine.get(path)
        assert answer["statusCode"] == 403 and "BUDI" not in answer["body"], path
    history = mine.get(f"/riwayat?kantor={OTHER}")  # asks for the other office: gets its own
    assert "101500-daftar" in history["body"] and "101600-daftar" not in history["body"]
    city = with_totp(portal, "dinas")
    assert city.get(theirs)["statusCode"] == 200
    assert "101600-daftar" in city.get(f"/riwayat?kantor={OTHER}")["body"]


def test_the_riwayat_says_when_by_whom_and_the_outcome_and_escapes_names(aws: Stack, portal: Portal) -> None:
    name = "<img src=x onerror=alert(1)>.xlsx"
    ingest(aws, f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-{name}", a_list())
    page = signed_in(portal, "pasiran").get("/riwayat")["body"]
    assert "pasiran" in page and "1 diterima, 0 ditolak" in page and "06-12-2026 pukul 10.15 WIB" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("name", ['Daftar "Rentan" #2 Kec. Barat.xlsx', "林美华 daftar.csv", "50%25 selesai.xlsx"])
def test_a_report_opens_from_the_riwayat_whatever_its_file_is_called(aws: Stack, portal: Portal, name: str) -> None:
    from html import unescape
    from urllib.parse import unquote

    ingest(aws, f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-{name}", a_list())
    browser = signed_in(portal, "pasiran")
    page = browser.get("/riwayat")["body"]
    link = unescape(page.split('href="/laporan/', 1)[1].split('"', 1)[0])
    assert browser.get("/laporan/" + link)["statusCode"] == 200  # as the browser sends it, encoded
    assert browser.get("/laporan/" + unquote(link))["statusCode"] == 200  # as a function URL may pass it, decoded


def test_the_upload_form_posts_to_the_bucket_with_a_policy_for_the_office(portal: Portal) -> None:
    import re

    browser = signed_in(portal, "pasiran")
    choose = browser.get("/unggah")
    assert 'id="choose-program"' in choose["body"] and "Pekerja Sawit" in choose["body"] and "50 MB" in choose["body"]
    page = browser.get("/unggah?program=pekerja-sawit")
    form = page["body"].split('id="upload"', 1)[0].rsplit("<form", 1)[1] + page["body"].split('id="upload"', 1)[1]
    action = re.search(r'action="([^"]+)"', form)
    assert action and "lindungi-local-lists" in action[1] and 'enctype="multipart/form-data"' in form
    origin = re.match(r"https?://[^/]+", action[1])
    assert origin and f"form-action 'self' {origin[0]}" in page["headers"]["Content-Security-Policy"]
    assert form.index('name="policy"') < form.index('name="file"')  # S3 reads the fields before the file
    key = browser.form_value(page, "key")
    assert key.startswith(f"incoming/pekerja-sawit/{OFFICE}/") and key.endswith("-${filename}")
    assert browser.form_value(page, "x-amz-meta-uploader") == "pasiran"
    assert browser.form_value(page, "success_action_redirect") == f"https://{PORTAL_HOST}/unggah/selesai"
    assert browser.get("/unggah?program=tidak-ada")["body"].count('id="choose-program"') == 1


def test_the_upload_page_after_s3_waits_for_the_report_then_links_it(aws: Stack, portal: Portal) -> None:
    key = f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx"
    boto3.client("s3", region_name=REGION).put_object(Bucket=aws.physical("UploadBucket"), Key=key, Body=a_list())
    browser = signed_in(portal, "pasiran")
    waiting = browser.get(f"/unggah/selesai?bucket=b&key={key}&etag=x")
    assert 'id="upload-wait"' in waiting["body"] and 'http-equiv="refresh"' in waiting["body"]
    time.sleep(1)  # S3's LastModified is to the second
    ingest(aws, key, a_list())
    ready = browser.get(f"/unggah/selesai?bucket=b&key={key}&etag=x")
    link = f"/laporan/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx.html"
    assert 'id="upload-ready"' in ready["body"] and f'href="{link}"' in ready["body"]


def test_the_same_bytes_again_show_the_first_uploads_results(aws: Stack, portal: Portal) -> None:
    data = xlsx({"Daftar": [HEADER, ["1", SITI, "SITI", "081234567890", "05-09-1985", "P", "01-01-2026"],
                            ["2", "123", "BUDI", "", "", "", "01-01-2026"]]})
    ingest(aws, f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx", data)
    ingest(aws, f"incoming/pekerja-rentan/{OFFICE}/20261206-111500-daftar.xlsx", data)
    browser = signed_in(portal, "pasiran")
    again = browser.get(f"/laporan/pekerja-rentan/{OFFICE}/20261206-111500-daftar.xlsx.html")["body"]
    assert "sama persis" in again and "BUDI" in again
    fix = browser.get(f"/laporan/pekerja-rentan/{OFFICE}/20261206-111500-daftar.xlsx.perbaikan.xlsx")
    assert fix["statusCode"] == 303 and "X-Amz-Signature" in fix["headers"]["Location"]
    assert "sama dengan berkas sebelumnya" in browser.get("/riwayat")["body"]


def test_the_clerk_reads_the_name_they_chose_and_the_offices_name_everywhere(aws: Stack, portal: Portal) -> None:
    """The portal's stamp (``20261206-101500-``) is in the key only: the upload's page, the riwayat, the report,
    the fix-up workbook's download and cari peserta name the list as the clerk did, and the office by its name."""
    from urllib.parse import parse_qs, urlsplit

    chosen = "Daftar Rentan Pasiran.xlsx"
    key = f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-{chosen}"
    ingest(aws, key, xlsx({"Daftar": [HEADER, ["1", SITI, "SITI", "081234567890", "05-09-1985", "P", "01-01-2026"],
                                      ["2", "123", "BUDI", "", "", "", "01-01-2026"]]}))
    clerk = signed_in(portal, "pasiran")
    report = f"/laporan/pekerja-rentan/{OFFICE}/20261206-101500-{chosen}"
    branch = with_totp(portal, "cabang")
    pages = {"unggah selesai": clerk.get(f"/unggah/selesai?bucket=b&key={key}&etag=x")["body"],
             "riwayat": clerk.get("/riwayat")["body"], "report": clerk.get(report + ".html")["body"],
             "cari peserta": branch.post("/peserta", {"nik": SITI, "csrf": branch.form_value(branch.get("/peserta"),
                                                                                            "csrf")})["body"]}
    for page, body in pages.items():
        text = visible_text(body)
        assert chosen in text and "20261206-101500" not in text, page
        assert OFFICE not in text, page
    assert "Kel. Pasiran" in visible_text(pages["cari peserta"]) and "Kel. Pasiran" in visible_text(pages["riwayat"])
    assert "Kel. Pasiran" in visible_text(clerk.get("/")["body"]), "the bar says whose office is signed in"
    city = with_totp(portal, "dinas").get(f"/riwayat?kantor={OFFICE}")["body"]
    assert f'<option value="{OFFICE}" selected>Kel. Pasiran</option>' in city, "the city picks an office by name"
    assert chosen in visible_text(city) and "Riwayat unggahan kantor Kel. Pasiran" in visible_text(city)
    workbook = parse_qs(urlsplit(clerk.get(report + ".perbaikan.xlsx")["headers"]["Location"]).query)
    assert f'filename="{chosen}.perbaikan.xlsx"' in workbook["response-content-disposition"][0], "the download too"


# ------------------------------------------------------------------------------------------------ cari peserta


def test_a_lookup_needs_the_csrf_token_and_a_nik(aws: Stack, portal: Portal) -> None:
    browser = with_totp(portal, "cabang")
    assert browser.post("/peserta", {"nik": SITI})["statusCode"] == 400
    assert browser.post("/peserta", {"nik": SITI, "csrf": "x" * 64})["statusCode"] == 400
    page = browser.get("/peserta")
    bad = browser.post("/peserta", {"nik": "123", "csrf": browser.form_value(page, "csrf")})
    assert bad["statusCode"] == 400 and "16 angka" in bad["body"]


def test_the_branch_opts_a_number_out_and_the_sender_skips_it(aws: Stack, portal: Portal,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    env = Env(aws)
    env.put(coverage(SITI, name=SCRIPT_NAME, end=date(2025, 5, 31)))
    browser = with_totp(portal, "cabang")
    csrf = browser.form_value(browser.get("/peserta"), "csrf")
    record = browser.post("/peserta", {"nik": SITI, "csrf": csrf})["body"]
    assert "6172********0003" in record and SITI not in record.replace(f'value="{SITI}"', "")
    assert SCRIPT_NAME not in record and "&lt;script&gt;" in record
    assert "+62812****7890" in record and "+6281234567890" not in record
    done = browser.post("/peserta/tolak-sms", {"nik": SITI, "nomor": "0", "csrf": csrf})
    assert done["statusCode"] == 200 and "Menolak SMS" in done["body"]
    audited = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"audit"' in line]
    assert {a["audit"] for a in audited} >= {"worker lookup", "opt-out"}
    assert all(a["who"] == "cabang" and SITI not in json.dumps(a) for a in audited)
    report = env.plan(date(2025, 5, 1))
    assert report.notice_ids and env.sms() == []
    assert all(env.notice(i)["status"] == "opted_out" for i in report.notice_ids)


def test_a_new_number_is_what_the_sender_texts_next(aws: Stack, portal: Portal) -> None:
    env = Env(aws)
    ingest(aws, f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx",
           xlsx({"Daftar": [HEADER, ["1", SITI, "SITI", "081234567890", "05-09-1985", "P", "01-01-2025"]]}))
    browser = with_totp(portal, "cabang")
    csrf = browser.form_value(browser.get("/peserta"), "csrf")
    refused = browser.post("/peserta/nomor-baru", {"nik": SITI, "phone": "0561 123456", "csrf": csrf})
    assert "tidak valid" in refused["body"]
    done = browser.post("/peserta/nomor-baru", {"nik": SITI, "phone": "0813 5555 4444", "csrf": csrf})
    assert "+62813****4444" in done["body"]
    report = env.plan(date(2025, 5, 1))
    assert report.notice_ids
    assert [number for number, _ in env.sms()] == ["+6281355554444"]


def test_an_office_cannot_opt_anyone_out(aws: Stack, portal: Portal) -> None:
    Env(aws).put(coverage(SITI))
    browser = signed_in(portal, "pasiran")
    csrf = browser.form_value(browser.get("/"), "csrf")
    assert browser.post("/peserta/tolak-sms", {"nik": SITI, "nomor": "0", "csrf": csrf})["statusCode"] == 403
    assert browser.post("/peserta", {"nik": SITI, "csrf": csrf})["statusCode"] == 403


def test_an_aws_failure_is_an_error_page_and_a_metric_not_a_blank_502(aws: Stack, portal: Portal,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    ingest(aws, f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx", a_list())
    browser = signed_in(portal, "pasiran")
    fail_on(portal.s3, "before-call.s3.GetObject", "InternalError")
    answer = browser.get(f"/laporan/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx.html")
    assert answer["statusCode"] == 500 and "Terjadi gangguan" in answer["body"]
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(e.get("PortalRequestsFailed") == [1.0] or e.get("PortalRequestsFailed") == 1 for e in emitted), emitted


# ------------------------------------------------------------------------------------------------ grants


def test_the_portal_calls_only_what_its_role_is_granted(aws: Stack, portal: Portal,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    key = f"incoming/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx"
    ingest(aws, key, xlsx({"Daftar": [HEADER, ["1", SITI, "SITI", "081234567890", "05-09-1985", "P", "01-01-2025"],
                                       ["2", "123", "BUDI", "", "", "", "01-01-2025"]]}))
    boto3.client("s3", region_name=REGION).put_object(Bucket=aws.physical("UploadBucket"),
                                                      Key="reports/rekap/2026-12-05.html", Body=b"<html></html>")
    office, branch, city = signed_in(portal, "pasiran"), with_totp(portal, "cabang"), with_totp(portal, "dinas")
    recorder = CallRecorder(aws)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", f"{aws.name}-PortalFunction")
    with recorder.recording():
        office.get("/unggah?program=pekerja-rentan")
        office.get(f"/unggah/selesai?key={key}")
        office.get("/riwayat")
        office.get(f"/laporan/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx.html")
        office.get(f"/laporan/pekerja-rentan/{OFFICE}/20261206-101500-daftar.xlsx.perbaikan.xlsx")
        csrf = branch.form_value(branch.get("/peserta"), "csrf")
        branch.post("/peserta", {"nik": SITI, "csrf": csrf})
        branch.post("/peserta/tolak-sms", {"nik": SITI, "nomor": "0", "csrf": csrf})
        branch.post("/peserta/nomor-baru", {"nik": SITI, "phone": "081355554444", "csrf": csrf})
        city.get("/rekap/")
        city.get("/rekap/2026-12-05.xlsx")
    actions = {(c.action, c.resource.split("/")[0]) for c in recorder.calls}
    assert {("dynamodb:Query", "WorkersTable"), ("dynamodb:BatchGetItem", "NoticesTable"),
            ("dynamodb:PutItem", "NoticesTable"), ("dynamodb:UpdateItem", "WorkersTable"),
            ("s3:GetObject", "UploadBucket")} <= actions
    # the browser's POST to S3 is a PutObject of the portal's role, under the office's folder
    posted = Call("PortalFunction", "s3:PutObject", f"UploadBucket/{key}")
    assert missing_grants(aws, {*recorder.calls, posted}) == []
    assert missing_grants(aws, {Call("PortalFunction", "s3:PutObject", "UploadBucket/reports/x.html")})


# ------------------------------------------------------------------------------------------------ rekap


def test_the_rekap_for_the_city_and_its_workbook_by_a_presigned_link(aws: Stack, portal: Portal) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    bucket = aws.physical("UploadBucket")
    s3.put_object(Bucket=bucket, Key="reports/rekap/2026-11-01.html", Body=b"<html>lama</html>")
    s3.put_object(Bucket=bucket, Key="reports/rekap/2026-11-20.html", Body=b"<html>terbaru</html>")
    browser = with_totp(portal, "dinas")
    page = browser.get("/rekap/")
    assert page["statusCode"] == 200 and "terbaru" in page["body"]
    workbook = browser.get("/rekap/2026-11-20.xlsx")
    assert workbook["statusCode"] == 303 and "reports/rekap/2026-11-20.xlsx" in workbook["headers"]["Location"]
    assert browser.get("/rekap/..%2Fpekerja-rentan%2Fx.xlsx")["statusCode"] in (403, 404)


def test_the_sender_reads_what_the_portal_wrote_at_the_same_moment(aws: Stack) -> None:
    """Guard for the two tests above: without the portal's action, the same plan texts the old number."""
    env = Env(aws)
    env.put(coverage(SITI))
    env.plan(date(2025, 5, 1))
    assert [number for number, _ in env.sms()] == ["+6281234567890"]
