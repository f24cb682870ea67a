"""The staff portal in a real browser: Debian's headless Chromium driven through WebDriver (chromium-driver and
selenium), against the portal the emulator serves at its function URL, with moto's Cognito and S3.

One emulator for the module, its S3 reached at ``localhost`` and the portal served at ``127.0.0.1``: two sites,
as a bucket (``s3.amazonaws.com``) and a function URL (``lambda-url.on.aws``) are in AWS, so S3's redirect back
to the portal after an upload is the cross-site navigation it is there. A clerk of one office signs in (the
first password changed), uploads a list (the browser posts it straight to moto's S3, whose notification runs
ingest), sees its report, downloads the fix-up workbook; a BPJS branch clerk (TOTP set up at the first
sign-in) looks a worker up and opts a number out. And what a browser must never see: a page without a session,
another office's report or upload, a form sent without its token, a wrong password.

``make test`` installs Chromium and chromium-driver first (``make browser``). Where they cannot be installed
these tests skip and say so; under CI (``CI=true``) a missing one fails instead.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import boto3
import pytest

from lindungi.nik import mask
from lindungi.reminders.notices import optout_pk
from lindungi_dev import samples, webdriver
from lindungi_dev.emulator import cognito
from lindungi_dev.webdriver import Person

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

OFFICE, OTHER_OFFICE = "kel-pasiran", "kel-lain"
LIST_NAME = "Daftar Pekerja Rentan Pasiran 2025.xlsx"
NEW_PASSWORD = "Lindungi-Pasiran-2025"


@dataclass
class Portal:
    emu: Any
    url: str
    passwords: dict[str, str]
    downloads: Path


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    if not webdriver.available():
        if os.environ.get("CI"):
            pytest.fail(webdriver.INSTALL_HINT)
        pytest.skip(webdriver.INSTALL_HINT)
    from lindungi_dev.emulator.server import Emulator

    saved = dict(os.environ)
    emu = Emulator()
    try:
        if not emu.stack.url_functions():
            pytest.fail("template.yaml serves no function at a function URL: no portal to test")
        # S3 under another host name than the portal's (moto listens on 127.0.0.1, which localhost is): the
        # presigned POST's form goes to http://localhost:PORT/<bucket>, another site for the browser.
        os.environ["AWS_ENDPOINT_URL_S3"] = emu.endpoint.replace("//127.0.0.1:", "//localhost:")
        emu.s3_notifications("UploadBucket")
        url = emu.serve_urls()[emu.stack.url_functions()[0]].url
        accounts = {"kantor.pasiran": ("kantor", {"custom:office": OFFICE}),
                    "kantor.lain": ("kantor", {"custom:office": OTHER_OFFICE}),
                    "bpjs.singkawang": ("bpjs", {})}
        passwords = {name: cognito.create_user(emu.session, emu.stack, name, [group], attributes)
                     for name, (group, attributes) in accounts.items()}
        yield Portal(emu, url, passwords, tmp_path_factory.mktemp("downloads"))
    finally:
        emu.stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def office(portal: Portal) -> Iterator[Person]:
    """The Pasiran office's clerk, signed in for the first time: the portal asked for a new password."""
    with webdriver.chrome(downloads=portal.downloads) as driver:
        person = Person(driver, portal.url)
        person.open("/masuk")
        person.fill("signin", {"username": "kantor.pasiran", "password": portal.passwords["kantor.pasiran"]})
        assert person.path == "/masuk/sandi-baru", "the first sign-in asks for a new password"
        person.fill("new-password", {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
        assert person.path == "/", person.text("message") if person.has("message") else driver.page_source
        yield person


SCRIPT_NAME = "<script>document.title='DIRETAS'</script>"
IMG_NAME = '<img src=x onerror="document.title=\'DIRETAS\'">'


@pytest.fixture(scope="module")
def list_rows() -> list[samples.Worker]:
    """A sample list with the faults offices make, and two names that are markup (with a TMT that is no date,
    so their rows are on the report page, to fix)."""
    people, _ = samples.plant_faults(samples.workers(40, "pekerja-rentan", seed=11), every=9)
    people[1] = replace(people[1], name=SCRIPT_NAME, tmt="31-13-2025")
    people[2] = replace(people[2], name=IMG_NAME, tmt="31-13-2025")
    return people


def _look(person: Person, selector: str) -> dict[str, str]:
    """How the element looks as drawn (its computed style): what the page's one style sheet made of it."""
    found: dict[str, str] = person.driver.execute_script(
        "const s = getComputedStyle(document.querySelector(arguments[0])); return {background: s.backgroundColor,"
        " color: s.color, padding: s.padding, radius: s.borderRadius, weight: s.fontWeight,"
        " underline: s.textDecorationLine}", selector)
    return found


@pytest.fixture(scope="module")
def uploaded(portal: Portal, office: Person, list_rows: list[samples.Worker],
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The clerk's upload: the program chosen by its Indonesian name, the file picked, sent; the page then
    waits for the report and links it. Returns the report's address, its JSON as stored, where the form went,
    what the page said and the look of the link to the report."""
    workbook = tmp_path_factory.mktemp("list") / LIST_NAME
    workbook.write_bytes(samples.write_xlsx(list_rows, "pekerja-rentan"))
    office.open("/unggah")
    look = {"send": _look(office, "#choose-program button.main")}
    office.fill("choose-program", {"program": "pekerja-rentan"})
    sent_to = office.driver.find_element("id", "upload").get_attribute("action")
    office.fill("upload", {"file": str(workbook)})
    _wait_for_the_report(office)
    assert office.has("open-report"), office.driver.page_source[:2000]
    look["open-report"] = _look(office, "#open-report")
    shown = office.text("upload-ready")
    office.click("#open-report")
    page = unquote(office.path.removeprefix("/laporan/"))
    stored = json.loads(portal.emu.client("s3").get_object(Bucket=portal.emu.stack.physical("UploadBucket"),
                                                            Key=f"reports/{page.removesuffix('.html')}.json")["Body"].read())
    return {"path": office.path, "report": stored, "upload_key": stored["source_key"], "sent_to": sent_to,
            "look": look, "shown": shown}


def test_the_upload_shows_its_report(office: Person, uploaded: dict[str, Any]) -> None:
    assert re.fullmatch(rf"/laporan/pekerja-rentan/{OFFICE}/[0-9-]+{re.escape(quote(LIST_NAME))}\.html",
                        uploaded["path"]), "the upload's own key, under the office's folder, named as the file"
    assert uploaded["upload_key"].startswith(f"incoming/pekerja-rentan/{OFFICE}/")
    assert office.text("file-name") == LIST_NAME, "the name the clerk chose, not the key's"
    assert LIST_NAME in uploaded["shown"] and not re.search(r"\d{8}-\d{6}", uploaded["shown"])
    report = uploaded["report"]
    assert report["summary"]["rejected"] > 0 and report["summary"]["accepted"] > 0
    assert office.has("to-fix") and office.has("status")


STRICT_REDIRECTS = ("--enable-features=CookieSameSiteConsidersRedirectChain",)
"""Chromium counting every hop of a redirect chain for SameSite, as RFC 6265bis says (off by default in Chromium)."""


def test_s3s_redirect_is_cross_site_and_the_same_site_hop_brings_the_session(
        portal: Portal, uploaded: dict[str, Any], tmp_path: Path) -> None:
    """The form posts to S3 at localhost; S3's 303 sends the browser back to the portal at 127.0.0.1, another
    site. Chromium as shipped still sends a SameSite=Strict cookie there (the navigation began on the portal's
    own page), so the clerk above went straight through; a browser that counts the redirect chain, as RFC
    6265bis says and Chromium does with ``CookieSameSiteConsidersRedirectChain``, keeps it back. Here it is kept
    back (Chromium's DevTools say why), and the landing page's refresh to itself (``lanjut=1``), a same-site
    navigation, carries it: the clerk sees the report's link, signed in, not the sign-in page."""
    assert uploaded["sent_to"].startswith("http://localhost:"), "the upload goes to S3 under its own host name"
    workbook = tmp_path / "Daftar Kedua.xlsx"
    others = samples.workers(5, "pekerja-rentan", seed=12)  # other workers: the module's keep the first list's covers
    workbook.write_bytes(samples.write_xlsx(others, "pekerja-rentan"))
    with webdriver.chrome(network_log=True, arguments=STRICT_REDIRECTS) as driver:
        clerk = Person(driver, portal.url)
        clerk.sign_in("kantor.pasiran", NEW_PASSWORD)
        clerk.open("/unggah")
        clerk.fill("choose-program", {"program": "pekerja-rentan"})
        webdriver.requests(driver)  # from here on: the upload's requests
        clerk.fill("upload", {"file": str(workbook)})
        _wait_for_the_report(clerk)
        assert clerk.has("open-report") and "Daftar Kedua.xlsx" in clerk.text("upload-ready")
        hops = [r for r in webdriver.requests(driver) if "/unggah/selesai?" in r.url]
    assert hops and hops[0].url.startswith(portal.url) and "lanjut=1" not in hops[0].url
    reasons = hops[0].kept_back.get("lindungi_id", [])  # SameSiteStrict, SchemefulSameSiteStrict as Chromium names it
    assert reasons and all(r.endswith("SameSiteStrict") for r in reasons), "S3's redirect arrives without the session"
    assert hops[1].url == hops[0].url + "&lanjut=1" and "lindungi_id" in hops[1].sent, "the hop brings it"


def _wait_for_the_report(person: Person) -> None:
    deadline = time.monotonic() + 60
    while not person.has("open-report") and time.monotonic() < deadline:
        time.sleep(0.5)
        if person.has("upload-wait"):
            person.driver.refresh()


def test_the_link_to_the_report_is_the_pages_main_action(uploaded: dict[str, Any]) -> None:
    """It looks as the page's primary buttons do (so the style sheet it needs is the one the CSP's hash allows)."""
    button, link = uploaded["look"]["send"], uploaded["look"]["open-report"]
    assert button["background"] == "rgb(11, 87, 208)", "the primary button's colour: the style sheet applied"
    assert link == button | {"underline": "none"}, (link, button)


def test_list_content_is_shown_never_run(office: Person, uploaded: dict[str, Any]) -> None:
    office.open(uploaded["path"])
    assert "DIRETAS" not in office.driver.title
    assert SCRIPT_NAME in office.visible and IMG_NAME in office.visible, "the names are shown as written"


def test_the_fix_up_workbook_downloads(portal: Portal, office: Person, uploaded: dict[str, Any]) -> None:
    from python_calamine import CalamineWorkbook

    office.open(uploaded["path"])
    before = set(portal.downloads.iterdir())
    office.driver.find_element("id", "fix-workbook").click()
    got = webdriver.downloaded(portal.downloads)
    assert got not in before and got.name.endswith(".perbaikan.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(got.read_bytes()))
    cells = {str(c) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for c in row}
    names = [row["name"] for row in uploaded["report"]["rejected"] if row["name"]]
    assert names and set(names) <= cells, "every rejected worker is a row of the workbook to fix"


def test_riwayat_lists_the_upload_with_its_counts(office: Person, uploaded: dict[str, Any]) -> None:
    office.open("/riwayat")
    table = office.text("riwayat")
    assert LIST_NAME in table and "kantor.pasiran" in table
    assert str(uploaded["report"]["summary"]["accepted"]) in table


@pytest.mark.parametrize("path", ["/", "/unggah", "/riwayat", "/peserta", "/rekap/", "report"])
def test_no_page_without_a_session(portal: Portal, uploaded: dict[str, Any], path: str) -> None:
    with webdriver.chrome() as driver:
        stranger = Person(driver, portal.url)
        stranger.open(uploaded["path"] if path == "report" else path)
        assert stranger.path.startswith("/masuk")
        assert LIST_NAME not in driver.page_source


def test_another_office_cannot_read_the_report_by_url_or_history(portal: Portal, uploaded: dict[str, Any]) -> None:
    with webdriver.chrome() as driver:
        other = Person(driver, portal.url)
        other.sign_in("kantor.lain", portal.passwords["kantor.lain"], new_password="Lindungi-Lain-2025")
        assert other.path == "/"
        other.open(uploaded["path"])
        assert other.has("message") and not other.has("file-name")
        other.open(uploaded["path"].replace(".html", ".perbaikan.xlsx"))
        assert other.has("message")
        other.open(f"/unggah/selesai?key={quote(uploaded['upload_key'])}")
        assert other.has("message") and not other.has("open-report")
        other.open(f"/riwayat?kantor={OFFICE}")
        assert LIST_NAME not in driver.page_source


def _signed(claims: dict[str, Any], key: Any, kid: str) -> str:
    import jwt

    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _tokens(office: Person) -> tuple[dict[str, Any], str]:
    """The clerk's ID token's claims (read, not verified) and its key id."""
    import jwt

    token = office.driver.get_cookie("lindungi_id")["value"]
    return jwt.decode(token, options={"verify_signature": False}), jwt.get_unverified_header(token)["kid"]


def _moto_key() -> Any:
    """The key moto signs its pool's tokens with (the one its JWKS publishes)."""
    import jwt
    from moto.utilities.utils import load_resource

    return jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key


def _forgeries(office: Person) -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    claims, kid = _tokens(office)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    return {
        "another office, signed with another key": _signed(claims | {"custom:office": OTHER_OFFICE}, other_key, kid),
        "expired, signed with the pool's key": _signed(claims | {"iat": now - 7200, "exp": now - 3600},
                                                       _moto_key(), kid),
        "another client, signed with the pool's key": _signed(claims | {"aud": "someone-else"}, _moto_key(), kid),
        "no signature": ".".join(office.driver.get_cookie("lindungi_id")["value"].split(".")[:2]) + ".",
    }


def test_a_forged_or_expired_token_is_refused(portal: Portal, office: Person, uploaded: dict[str, Any]) -> None:
    forgeries = _forgeries(office)
    with webdriver.chrome() as driver:
        for what, token in forgeries.items():
            holder = Person(driver, portal.url)
            holder.open("/masuk")
            driver.delete_all_cookies()
            driver.add_cookie({"name": "lindungi_id", "value": token, "path": "/", "secure": True, "httpOnly": True})
            holder.open("/riwayat")
            assert holder.path.startswith("/masuk"), what
            holder.open(uploaded["path"])
            assert holder.path.startswith("/masuk") and LIST_NAME not in driver.page_source, what
        valid = office.driver.get_cookie("lindungi_id")["value"]  # the control: the same browser, a real token
        driver.delete_all_cookies()
        driver.add_cookie({"name": "lindungi_id", "value": valid, "path": "/", "secure": True, "httpOnly": True})
        Person(driver, portal.url).open("/riwayat")
        assert LIST_NAME in driver.page_source


def test_a_wrong_password_is_refused(portal: Portal, office: Person) -> None:
    with webdriver.chrome() as driver:
        guesser = Person(driver, portal.url)
        guesser.open("/masuk")
        guesser.fill("signin", {"username": "kantor.pasiran", "password": NEW_PASSWORD + "x"})
        assert guesser.path.startswith("/masuk") and guesser.has("message")
        guesser.open("/")
        assert guesser.path.startswith("/masuk")


def test_a_form_without_its_token_is_refused(portal: Portal, office: Person) -> None:
    """The session's cookies are there, the form's CSRF token is not what the session expects: refused."""
    office.open("/")
    office.navigates(lambda: office.driver.execute_script(
        "const f = document.querySelector('form[action=\"/keluar\"]');"
        "f.querySelector('input[name=csrf]').value = 'forged'; f.submit();"))
    assert office.has("message")
    office.open("/riwayat")
    assert office.path == "/riwayat", "the forged sign-out did not sign the clerk out"


def test_the_branch_looks_a_worker_up_and_opts_a_number_out(portal: Portal, uploaded: dict[str, Any]) -> None:
    accepted = [row for row in uploaded["report"]["accepted"] if row.get("phone")]
    worker = accepted[0]
    with webdriver.chrome() as driver:
        branch = Person(driver, portal.url)
        branch.sign_in("bpjs.singkawang", portal.passwords["bpjs.singkawang"], new_password="Lindungi-Bpjs-2025")
        assert branch.totp_secret, "the branch sees every worker: TOTP is set up at the first sign-in"
        assert branch.path == "/"
        branch.open("/peserta")
        branch.fill("lookup", {"nik": worker["nik"]})
        assert mask(worker["nik"]) in branch.text("worker")
        assert worker["nik"] not in branch.visible, "the NIK is shown masked (the search box keeps what was typed)"
        assert LIST_NAME in branch.visible, "the cover names the list it came from"
        branch.click("#optout-0 button[type=submit]")
        assert branch.has("message") and not branch.has("optout-0")
    notices = portal.emu.stack.physical("NoticesTable")
    item = boto3.client("dynamodb", region_name=portal.emu.stack.region).get_item(
        TableName=notices, Key={"pk": {"S": optout_pk(worker["phone"])}})
    assert item.get("Item", {}).get("reason", {}).get("S") == "portal:bpjs.singkawang"
