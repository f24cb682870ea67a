"""The import plan, read from the source with ``ast``: handlers on top, the stages side by side, the ground below.

The layer ``lindungi`` is stages (its packages: ``intake/``, ``reminders/``, ...) standing on a shared ground
(its plain modules: ``nik``, ``config``, ``dynamo``, ...). The ground imports no stage; a stage imports the
ground, itself, and only the stages ``STAGES`` lets it read; a handler ``functions/<name>/app.py`` imports the
module named after it, in the stage ``HANDLERS`` gives, and the ground. A new stage or handler is one line in a
table below. Every import counts, also one inside a function (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "lindungi" / "lindungi"
FUNCTIONS = ROOT / "functions"

STAGES: dict[str, frozenset[str]] = {
    # stage: the other stages it may import (to read what they wrote, or to use them)
    "intake": frozenset(),
    "reminders": frozenset(),
    "rekap": frozenset({"intake", "reminders"}),
    "ops": frozenset({"intake", "reminders", "rekap", "lookup"}),
    "lookup": frozenset({"intake", "reminders"}),
    "portal": frozenset({"intake", "reminders", "lookup", "ops"}),
}
HANDLERS: dict[str, str] = {
    # functions/<name>/app.py: the stage that holds the module named after it
    "ingest": "intake",
    "planner": "reminders",
    "sender": "reminders",
    "receipts": "reminders",
    "rekap": "rekap",
    "portal": "portal",
}
ENTRY_POINTS: dict[str, frozenset[str]] = {
    # layer modules that start a program rather than serve one: the stages they may import
    "lindungi.__main__": frozenset({"ops"}),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(LAYER.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, package: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every ``lindungi`` module ``path`` imports; ``from a import b`` gives ``a.b`` when
    ``b`` is a module, else ``a``. ``package`` resolves relative imports."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield node.lineno, sub if _is_module(sub) else base


def _is_module(name: str) -> bool:
    path = LAYER.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def stage_of(module: str) -> str | None:
    """The stage a ``lindungi`` module belongs to; None for the ground."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (LAYER / parts[1]).is_dir() else None


def layer_modules() -> list[tuple[str, Path]]:
    return sorted((module_name(p), p) for p in LAYER.rglob("*.py"))


def wall_breaks(name: str, path: Path, allowed: frozenset[str]) -> list[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for line, target in imports(path, package)
        if target.split(".")[0] == "lindungi" and (stage := stage_of(target)) is not None and stage not in allowed
    ]


def test_every_package_of_the_layer_is_a_stage_in_the_table() -> None:
    packages = {p.name for p in LAYER.iterdir() if (p / "__init__.py").is_file()}
    assert packages <= set(STAGES), f"name the new stage in STAGES: {sorted(packages - set(STAGES))}"


def test_the_ground_imports_no_stage() -> None:
    ground = [(n, p) for n, p in layer_modules() if stage_of(n) is None]
    assert len(ground) > 10
    breaks = [b for n, p in ground for b in wall_breaks(n, p, ENTRY_POINTS.get(n, frozenset()))]
    assert breaks == []


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stage_imports_the_ground_itself_and_the_stages_it_may_read(stage: str) -> None:
    modules = [(n, p) for n, p in layer_modules() if stage_of(n) == stage]
    if not modules:
        pytest.skip(f"no {stage}/ yet")
    breaks = [b for n, p in modules for b in wall_breaks(n, p, STAGES[stage] | {stage})]
    assert breaks == []


def test_every_handler_is_in_the_table() -> None:
    assert {p.parent.name for p in FUNCTIONS.glob("*/app.py")} == set(HANDLERS)


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_a_handler_imports_the_module_named_after_it_and_the_ground(handler: str) -> None:
    path = FUNCTIONS / handler / "app.py"
    stage = HANDLERS[handler]
    assert wall_breaks(f"functions.{handler}.app", path, frozenset({stage})) == []
    targets = {t for _, t in imports(path, f"functions.{handler}")}
    assert any(t.startswith(f"lindungi.{stage}.") and handler in t.split(".") for t in targets), targets


def defined_names(path: Path) -> set[str]:
    """What a module itself binds at its top level (functions, classes, assignments), not what it imports."""
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
            elif isinstance(node, ast.If | ast.Try | ast.With | ast.For):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return names


def test_every_name_is_imported_from_the_module_that_defines_it() -> None:
    """No re-exports: ``from lindungi.x import y`` only where ``x`` defines ``y`` (or ``y`` is a module).
    mypy's ``no_implicit_reexport`` holds this for the layer; this holds it for the handlers as well."""
    sources = [p for _, p in layer_modules()] + sorted(FUNCTIONS.glob("*/app.py"))
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module):
                continue
            if node.module.split(".")[0] != "lindungi" or not _is_module(node.module):
                continue
            where = LAYER.parent.joinpath(*node.module.split("."))
            source = where / "__init__.py" if where.is_dir() else where.with_suffix(".py")
            defined = defined_names(source)
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}"
                for alias in node.names
                if alias.name not in defined and not _is_module(f"{node.module}.{alias.name}")
            ]
    assert found == []
