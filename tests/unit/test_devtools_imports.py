"""The devtools' import plan, read from the source (every import, those inside functions too): no cycles;
the emulator's modules each import only those before them (template, switches, cognito, provision, carrier, urls,
lambdas, server); a benchmark imports no other benchmark, only ``bench.common``; the samples import neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "devtools"
EMULATOR = ["template", "switches", "cognito", "provision", "carrier", "urls", "lambdas", "server"]


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / "lindungi_dev").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The project modules ``name`` imports (``from a import b`` counts as a.b when b is a module)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m in MODULES and m != name and not name.startswith(m + ".")}


GRAPH = {name: _imports(name) for name in MODULES}


def test_no_import_cycles() -> None:
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            pytest.fail("import cycle: " + " -> ".join([*path[path.index(name):], name]))
        if name in done:
            return
        for imported in sorted(GRAPH[name]):
            visit(imported, [*path, name])
        done.add(name)

    for name in GRAPH:
        visit(name, [])


@pytest.mark.parametrize("module", EMULATOR)
def test_the_emulator_imports_only_what_comes_before(module: str) -> None:
    allowed = {f"lindungi_dev.emulator.{m}" for m in EMULATOR[: EMULATOR.index(module)]}
    imported = {m for m in GRAPH[f"lindungi_dev.emulator.{module}"] if m != "lindungi_dev.emulator"}
    assert imported <= allowed, imported - allowed


def test_benchmarks_share_only_common_and_samples_stand_alone() -> None:
    for name, imported in GRAPH.items():
        if name.startswith("lindungi_dev.bench.") and not name.endswith(("__main__", "common")):
            others = {m for m in imported if m.startswith("lindungi_dev.bench.")}
            assert others <= {"lindungi_dev.bench.common"}, (name, others)
        if name.startswith("lindungi_dev.samples"):
            assert not {m for m in imported if m.startswith(("lindungi_dev.emulator", "lindungi_dev.bench"))}, name
