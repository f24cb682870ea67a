"""Debian's headless Chromium, for looking at the staff pages as a person does: the DOM after load, a screenshot.

``make browser`` (a prerequisite of ``make test`` and ``make demo``) installs it with apt when it is missing.
``Dom`` reads what Chromium rendered (stdlib ``html.parser``): text by element id, the tags present.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

PHONE = (390, 844)
LAPTOP = (1280, 900)
INSTALL_HINT = "Debian's chromium is not installed: `make browser` (apt-get install chromium, as root)"


def chromium() -> str | None:
    """The Chromium binary, or None. ``CHROMIUM`` overrides the search."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and Path(found).exists() else None


def _run(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    if binary is None:
        raise FileNotFoundError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="lindungi-chromium-") as profile:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)


def dump_dom(page: Path) -> str:
    """The DOM after the page loaded and any script it allowed had run (``--dump-dom``)."""
    return _run(["--virtual-time-budget=2000", "--dump-dom", page.resolve().as_uri()]).stdout


def screenshot(page: Path, png: Path, size: tuple[int, int] = LAPTOP, full_height: int | None = None) -> Path:
    """A PNG of the page at ``size`` (width, height); ``full_height`` makes the window that tall instead."""
    png.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    _run([f"--window-size={width},{full_height or height}", f"--screenshot={png.resolve()}", page.resolve().as_uri()])
    return png


@dataclass
class Dom(HTMLParser):
    """Text by element id, every tag counted, the title: what a person sees, read from Chromium's DOM."""

    text_by_id: dict[str, str] = field(default_factory=dict)
    tags: Counter[str] = field(default_factory=Counter)
    title: str = ""
    _open: list[tuple[str, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @classmethod
    def of(cls, html: str) -> Dom:
        dom = cls()
        dom.feed(html)
        dom.close()
        return dom

    _VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "col", "base"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for _, open_id in self._open:  # cells and lines read apart, as on screen
            if open_id:
                self.text_by_id[open_id] += " "
        if tag in self._VOID:
            return
        ident = dict(attrs).get("id")
        self._open.append((tag, ident))
        if ident:
            self.text_by_id.setdefault(ident, "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if not any(open_tag == tag for open_tag, _ in self._open):
            return  # a stray end tag closes nothing
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(tag == "title" for tag, _ in self._open) and not any(tag == "svg" for tag, _ in self._open):
            self.title += data
        for _, ident in self._open:
            if ident:
                self.text_by_id[ident] += data

    def text(self, ident: str) -> str:
        return " ".join(self.text_by_id.get(ident, "").split())
