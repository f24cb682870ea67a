"""Tests share what they build through one module, tests/builders.py, and fixtures through the conftests: no
test module imports another test module, a conftest or a helper beside them (collecting one would run the
other's module-level work, and a change to one test file would break another)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = "tests.builders"


def imported(source: str, package: str) -> list[tuple[int, str]]:
    """(line, name) for every import in ``source``, a module of ``package``: ``import a.b`` gives ``a.b``, and
    ``from a import b`` gives ``a.b`` (b may be a module or a name in a), relative imports resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join([*parts[: len(parts) - node.level + 1], *([node.module] if node.module else [])]) \
                if node.level else node.module or ""
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def forbidden(source: str, package: str) -> list[str]:
    """The imports of ``source`` from the tests package other than the shared builders, one per line."""
    lines = {line: name for line, name in reversed(imported(source, package))
             if name.split(".")[0] == "tests" and not (name == SHARED or name.startswith(SHARED + "."))}
    return [f"line {line}: {name}" for line, name in sorted(lines.items())]


def test_tests_import_only_the_shared_builders_from_the_tests() -> None:
    offenders = {
        str(path.relative_to(ROOT)): bad
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if (bad := forbidden(path.read_text(encoding="utf-8"), ".".join(path.relative_to(ROOT).parts[:-1])))
    }
    assert not offenders, f"import these from {SHARED} (or take them as conftest fixtures): {offenders}"


def test_the_check_sees_every_spelling_of_an_import_of_another_test() -> None:
    spellings = [
        "from tests.unit.test_check_spreadsheets import xlsx",
        "from tests.unit import test_check_spreadsheets",
        "import tests.integration.test_rekap",
        "from .test_check_spreadsheets import xlsx",
        "from . import test_check_spreadsheets",
        "from ..e2e.conftest import RENTAN",
        "def f():\n    from tests.integration.test_ingest_handler import upload",
    ]
    assert [s for s in spellings if not forbidden(s, "tests.unit")] == []
    allowed = "from tests.builders import xlsx\nfrom tests import builders\nimport tests.builders\nimport pytest"
    assert forbidden(allowed, "tests.unit") == []
