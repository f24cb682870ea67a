"""Debian's headless Chromium driven through WebDriver (Debian's ``chromium-driver`` and ``selenium``): a person
using the staff portal, for the portal's browser tests, its benchmark and the staff guide's pictures.

``make browser`` installs both packages with apt when they are missing. ``chrome`` opens a browser that keeps
what it downloads in a folder of its own; selenium's own driver download (Selenium Manager) is never used:
the driver is Debian's, the one built for the installed Chromium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import browser

if TYPE_CHECKING:
    from selenium.webdriver.chromium.webdriver import ChromiumDriver
    from selenium.webdriver.remote.webdriver import WebDriver

INSTALL_HINT = ("Debian's chromium and chromium-driver are not both installed: `make browser` "
                "(apt-get install chromium chromium-driver, as root)")


def chromedriver() -> str | None:
    """Debian's chromedriver, or None. ``CHROMEDRIVER`` overrides the search."""
    found = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    return found if found and Path(found).exists() else None


def available() -> bool:
    return browser.chromium() is not None and chromedriver() is not None


@contextlib.contextmanager
def chrome(size: tuple[int, int] = browser.LAPTOP, downloads: Path | None = None,
           network_log: bool = False, arguments: Sequence[str] = ()) -> Iterator[WebDriver]:
    """A headless Chromium at ``size``, its downloads saved in ``downloads`` (a temporary folder by default);
    with ``network_log``, its DevTools network events kept (``requests``); ``arguments``: Chromium's own, added."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = browser.chromium(), chromedriver()
    if binary is None or driver_path is None:
        raise FileNotFoundError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="lindungi-webdriver-") as scratch:
        folder = downloads or Path(scratch) / "downloads"
        folder.mkdir(parents=True, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--hide-scrollbars", f"--user-data-dir={Path(scratch) / 'profile'}",
                         f"--window-size={size[0]},{size[1]}", "--lang=id", *arguments):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"download.default_directory": str(folder),
                                                  "download.prompt_for_download": False,
                                                  "intl.accept_languages": "id,en"})
        if network_log:
            options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
            yield driver
        finally:
            driver.quit()


@dataclass(frozen=True)
class Request:
    """One request the browser made, as its DevTools saw it: the cookies it sent and those it kept back, why."""

    url: str
    sent: frozenset[str]
    kept_back: dict[str, list[str]]
    """Cookie name -> Chromium's reasons (``SameSiteStrict``...)."""


def requests(driver: WebDriver) -> list[Request]:
    """The requests of a ``chrome(network_log=True)`` since the last call, in order, each hop of a redirect its
    own: ``Network.requestWillBeSent`` gives the URL, ``requestWillBeSentExtraInfo`` the cookies as sent (a
    redirect keeps its request id: the n-th of each are one hop)."""
    import json

    chromium: ChromiumDriver = driver  # type: ignore[assignment]  # chrome() makes a Chromium driver
    urls: dict[str, list[str]] = {}
    extras: dict[str, list[dict[str, Any]]] = {}
    for entry in chromium.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            urls.setdefault(params["requestId"], []).append(params["request"]["url"])
        elif message.get("method") == "Network.requestWillBeSentExtraInfo":
            extras.setdefault(params["requestId"], []).append(params)
    found = []
    for request_id, hops in urls.items():
        for url, extra in zip(hops, extras.get(request_id, []), strict=False):
            cookies = extra.get("associatedCookies", [])
            found.append(Request(url, frozenset(c["cookie"]["name"] for c in cookies if not c.get("blockedReasons")),
                                 {c["cookie"]["name"]: list(c["blockedReasons"]) for c in cookies
                                  if c.get("blockedReasons")}))
    return found


def downloaded(folder: Path, timeout: float = 20.0) -> Path:
    """The file a download just finished writing into ``folder`` (Chromium's ``.crdownload`` gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if not p.name.endswith((".crdownload", ".tmp"))]
        if done and not any(p.name.endswith(".crdownload") for p in folder.iterdir()):
            return max(done, key=lambda p: p.stat().st_mtime)
        time.sleep(0.1)
    raise TimeoutError(f"nothing downloaded into {folder} within {timeout} s")


def totp(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for ``secret`` (base32, as Cognito hands it out): RFC 6238, SHA-1,
    6 digits, 30 seconds."""
    import base64

    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    totp_ = TOTP(key, 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303 - RFC 6238 is HMAC-SHA-1, as Cognito
    return totp_.generate(int(at or time.time())).decode()


class Person:
    """Someone at the portal in ``driver``: the pages they open and the forms they fill, by the portal's own
    element ids and field names (docs/design.md, "Portal")."""

    def __init__(self, driver: WebDriver, base: str) -> None:
        self.driver = driver
        self.base = base.rstrip("/")
        self.totp_secret: str | None = None

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    @property
    def path(self) -> str:
        from urllib.parse import urlsplit

        split = urlsplit(str(self.driver.current_url))
        return split.path + (f"?{split.query}" if split.query else "")

    def text(self, ident: str) -> str:
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.ID, ident).text)

    @property
    def visible(self) -> str:
        """The page's text as it is shown (no attribute, no form field's value)."""
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def has(self, ident: str) -> bool:
        from selenium.webdriver.common.by import By

        return bool(self.driver.find_elements(By.ID, ident))

    def fill(self, form: str, values: dict[str, str], submit: bool = True) -> None:
        """Type ``values`` into the fields of the form with id ``form`` (by name) and send it."""
        from selenium.webdriver.common.by import By

        element = self.driver.find_element(By.ID, form)
        for name, value in values.items():
            field = element.find_element(By.NAME, name)
            if field.tag_name == "select":
                from selenium.webdriver.support.select import Select

                Select(field).select_by_value(value)
            else:
                field.clear()
                field.send_keys(value)
        if submit:
            self.navigates(element.find_element(By.CSS_SELECTOR, "button[type=submit]").click)

    def navigates(self, action: Callable[[], object], timeout: float = 30.0) -> None:
        """Do ``action`` (a click that sends a form or follows a link) and wait for the next page to have loaded:
        WebDriver's click returns once the click is made, not once the page it asked for is there. The page
        is marked first (a property of its window, which a new page does not have); asking while Chromium
        swaps the documents may fail, and is asked again."""
        import uuid

        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.wait import WebDriverWait

        mark = uuid.uuid4().hex
        self.driver.execute_script("window.lindungiPage = arguments[0]", mark)
        action()
        WebDriverWait(self.driver, timeout, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return document.readyState === 'complete' && window.lindungiPage !== "
                                       "arguments[0]", mark))

    def sign_in(self, username: str, password: str, new_password: str | None = None) -> None:
        """The sign-in page, then whatever Cognito asks: a new password the first time (``new_password``), a
        TOTP set-up for the roles that need one (its code computed from the secret the page shows, then the
        sign-in again), a TOTP code after that."""
        self.open("/masuk")
        self.fill("signin", {"username": username, "password": password})
        if self.has("new-password"):
            assert new_password, "the first sign-in asks for a new password"
            self.fill("new-password", {"new_password": new_password, "new_password_again": new_password})
            password = new_password
        if self.has("mfa-setup"):
            self.totp_secret = self.text("totp-secret").strip()
            self.fill("mfa-setup", {"code": totp(self.totp_secret)})
            # Cognito refuses a code used once already, moto does not: against AWS, wait for the next 30 s.
            self.fill("signin", {"username": username, "password": password})
        if self.has("mfa-code"):
            assert self.totp_secret, "TOTP was set up in another browser"
            self.fill("mfa-code", {"code": totp(self.totp_secret)})

    def click(self, css: str) -> None:
        """Click the element ``css`` selects and wait for the page it leads to."""
        from selenium.webdriver.common.by import By

        self.navigates(self.driver.find_element(By.CSS_SELECTOR, css).click)

    def sign_out(self) -> None:
        self.click("#signout")
