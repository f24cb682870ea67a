"""Debian's headless Chromium, for looking at the staff pages as a person does: the DOM after load, a screenshot.

``make browser`` (a prerequisite of ``make test`` and ``make demo``) installs it with apt when it is missing.
``Dom`` reads what Chromium rendered (stdlib ``html.parser``): text by element id, the tags present.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

PHONE = (390, 844)
LAPTOP = (1366, 768)
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


MIN_WIDTH = 500
"""Headless Chromium lays a page out at least 500 px wide whatever ``--window-size`` says, so a narrower size
(a phone's 390 px) is framed: the page in an iframe of that width, in a 500 px window, the PNG cropped."""

_FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{{margin:0;background:#fff}}
iframe{{border:0;display:block}}</style></head><body><iframe src="{src}" width="{width}" height="{height}"></iframe>
<pre id="lindungi-layout"></pre><script>addEventListener("message", (e) => {{
document.getElementById("lindungi-layout").textContent = e.data; }});</script></body></html>"""

_MEASURE = """<script>
addEventListener("load", () => {
  const width = document.documentElement.clientWidth, out = [];
  for (const box of document.querySelectorAll(".scroll")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const table = box.querySelector("table");
      out.push((table && table.id) || "table");
    }
  }
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1 && !el.closest(".scroll")) out.push(el.id || el.tagName.toLowerCase());
  }
  const text = JSON.stringify({width: width, scroll_width: document.documentElement.scrollWidth, overflowing: out});
  if (window.parent !== window) window.parent.postMessage(text, "*");
  const pre = document.createElement("pre");
  pre.id = "lindungi-layout";
  pre.textContent = text;
  document.body.appendChild(pre);
});
</script>"""


def _in_window(page: Path, size: tuple[int, int], folder: Path, anchor: str = "") -> tuple[str, tuple[int, int]]:
    """The address to open and the window to open it in: the page itself, or a frame of ``size`` around it
    (narrower than Chromium lays out, or scrolled to an anchor, which a window's screenshot does not show)."""
    width, height = size
    if width >= MIN_WIDTH and not anchor:
        return page.resolve().as_uri(), size
    frame = folder / "frame.html"
    frame.write_text(_FRAME.format(src=page.resolve().as_uri() + anchor, width=width, height=height),
                     encoding="utf-8")
    return frame.resolve().as_uri(), (max(width, MIN_WIDTH), height)


def layout(page: Path, size: tuple[int, int]) -> dict[str, Any]:
    """What is wider than the window at ``size``: the page's ``scroll_width`` against its ``width``, and
    ``overflowing``, the tables that scroll sideways inside their box (by id) and the elements that reach past
    the right edge. Measured by a script added to a copy of the page without its CSP."""
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    html = html.replace("</body>", _MEASURE + "</body>")
    with tempfile.TemporaryDirectory(prefix="lindungi-layout-") as folder:
        copy = Path(folder) / "page.html"
        copy.write_text(html, encoding="utf-8")
        opened, (width, height) = _in_window(copy, size, Path(folder))
        dom = _run([f"--window-size={width},{height}", "--virtual-time-budget=3000", "--dump-dom", opened]).stdout
    found: dict[str, Any] = json.loads(Dom.of(dom).text_by_id["lindungi-layout"])
    return found


def screenshot(page: Path, png: Path, size: tuple[int, int] = LAPTOP, full_height: int | None = None,
               anchor: str = "") -> Path:
    """A PNG of the page at ``size`` (width, height); ``full_height`` makes the window that tall instead;
    ``anchor`` ("#to-fix") scrolls the page to that element first."""
    png.parent.mkdir(parents=True, exist_ok=True)
    width, height = size[0], full_height or size[1]
    with tempfile.TemporaryDirectory(prefix="lindungi-frame-") as folder:
        opened, (window_width, window_height) = _in_window(page, (width, height), Path(folder), anchor)
        _run([f"--window-size={window_width},{window_height}", "--virtual-time-budget=3000",
              f"--screenshot={png.resolve()}", opened])
    if window_width != width:
        from PIL import Image  # pdfplumber's dependency: only a framed (phone) screenshot needs it

        with Image.open(png) as shot:
            shot.crop((0, 0, width, height)).save(png, optimize=True)
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
