"""The README and docs/ point at things that exist: relative links and their anchors, repository paths, modules.

A file moved or a heading renamed fails here, not in a newcomer's browser. Checked: every relative
markdown link (its file, and its ``#anchor`` among the target's headings as GitHub makes them), every
inline-code span that is a repository path (``layers/...``, ``tests/...``), and every module the docs run
or name (``python -m lindungi_dev.demo``, ``lindungi.dynamo``).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
SPAN = re.compile(r"`([^`\n]+)`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
REPO_PATH = re.compile(r"^(?:layers|functions|devtools|tests|events|docs|\.ci)/[\w./-]*$")
RUN_MODULE = re.compile(r"-m\s+(lindungi(?:_dev)?(?:\.\w+)*)")
MODULE = re.compile(r"^lindungi(?:_dev)?(?:\.\w+)+$")


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, inline markup and punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_anchor(h) for h in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8")))}


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _resolves(name: str) -> bool:
    """``name`` is a module, or an attribute of one (``lindungi.outcomes.MESSAGES``)."""
    try:
        if importlib.util.find_spec(name) is not None:
            return True
    except ModuleNotFoundError:  # a parent that is a module, not a package
        return False
    parent, _, attribute = name.rpartition(".")
    return bool(parent) and _resolves(parent) and hasattr(importlib.import_module(parent), attribute)


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_relative_links_resolve(doc: Path) -> None:
    broken = []
    for target in LINK.findall(FENCE.sub("", doc.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        found = path.exists() and (not anchor or path.suffix != ".md" or anchor in _anchors(path))
        if not found:
            broken.append(target)
    assert not broken, f"{_name(doc)}: links to nothing: {broken}"


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_repository_paths_exist(doc: Path) -> None:
    spans = SPAN.findall(doc.read_text(encoding="utf-8"))
    missing = [span for span in spans if REPO_PATH.match(span) and not (ROOT / span).exists()]
    assert not missing, f"{_name(doc)}: paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_modules_exist(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    names = set(RUN_MODULE.findall(text)) | {span for span in SPAN.findall(text) if MODULE.match(span)}
    missing = sorted(name for name in names if not _resolves(name))
    assert not missing, f"{_name(doc)}: modules that do not exist: {missing}"
