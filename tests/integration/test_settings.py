"""``lindungi.settings`` against template.yaml: each function's settings are exactly what the template sets for it.

The map from function to settings class is ``settings.FUNCTION_SETTINGS`` (one place); everything here is
generic over it, so a new function is checked as soon as it is in the template and in that map.
"""

from __future__ import annotations

import ast
import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lindungi import settings
from lindungi.settings import (
    FUNCTION_SETTINGS,
    LIBRARY_PREFIXES,
    IngestSettings,
    Limits,
    PlannerSettings,
    SenderSettings,
    SettingsError,
)
from lindungi_dev.emulator.template import ROOT, load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
PARAMETERS = TEMPLATE.get("Parameters", {})
FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")


def template_env(function: str) -> dict[str, Any]:
    """Globals' Environment.Variables, then the function's own (which win)."""
    globals_ = TEMPLATE.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    own = RESOURCES[function]["Properties"].get("Environment", {}).get("Variables", {})
    return {**globals_, **own}


def ours(variables: dict[str, Any]) -> set[str]:
    return {name for name in variables if not name.startswith(LIBRARY_PREFIXES)}


def deployed_text(value: Any) -> str | None:
    """What the variable holds once deployed with the parameters' defaults; None if CloudFormation decides."""
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict) and value.get("Ref") in PARAMETERS:
        default = PARAMETERS[value["Ref"]].get("Default")
        return None if default is None else str(default)
    return None


def test_every_function_of_the_template_has_its_settings_class() -> None:
    assert sorted(FUNCTION_SETTINGS) == FUNCTIONS, "add the new function's settings class to FUNCTION_SETTINGS"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_variable_the_settings_read_is_set_for_the_function(function: str) -> None:
    read = set(FUNCTION_SETTINGS[function].variables())
    missing = sorted(read - set(template_env(function)))
    assert missing == [], f"{function}'s settings read {missing}, which template.yaml does not set for it"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_variable_the_template_sets_is_read_by_the_functions_settings(function: str) -> None:
    """Dead configuration misleads operators: each variable must mean something to the function."""
    unread = sorted(ours(template_env(function)) - set(FUNCTION_SETTINGS[function].variables()))
    assert unread == [], f"{function}: set in template.yaml but read by no field of its settings: {unread}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_template_and_the_code_agree_on_every_default(function: str) -> None:
    """Where the template states a value of its own (a literal, or a parameter's default), it is the code's
    default: a stack deployed as it is behaves as the code does in tests and local runs."""
    env = template_env(function)
    for name, (var, default) in FUNCTION_SETTINGS[function].variables().items():
        text = deployed_text(env[name])
        if text is None or default is dataclasses.MISSING:
            continue
        assert var.parse(text) == default, f"{function}: {name} is {text!r} in template.yaml, {default!r} in code"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_settings_build_from_what_the_template_sets(function: str) -> None:
    env = {name: deployed_text(value) or f"resolved-{name.lower()}" for name, value in template_env(function).items()}
    built = FUNCTION_SETTINGS[function].from_env(env)
    assert dataclasses.is_dataclass(built)


# ------------------------------------------------------------------------------- nothing else reads the environment
SOURCES = sorted([*ROOT.glob("functions/*/app.py"), *ROOT.glob("layers/lindungi/lindungi/**/*.py")])


def environment_reads(source: str) -> list[int]:
    """Lines reading the environment: ``os.environ``, ``environ[...]``, ``getenv(...)``, ``from os import environ``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb", "putenv"}) or (
            isinstance(node, ast.ImportFrom) and node.module == "os"
            and any(a.name in {"environ", "getenv"} for a in node.names)
        ):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_settings_module_reads_the_environment(source: Path) -> None:
    if source.name == "settings.py" and source.parent.name == "lindungi":
        return
    assert environment_reads(source.read_text(encoding="utf-8")) == [], (
        f"{source.relative_to(ROOT)} reads the environment: declare the variable in lindungi/settings.py"
    )


def test_the_environment_guard_sees_the_usual_forms() -> None:
    probe = ('import os\nfrom os import environ\na = os.environ["A"]\nb = os.getenv("B")\n'
             'c = os.environ.get("C", "1")\nd = len(str(os))\n')
    assert environment_reads(probe) == [2, 3, 4, 5]


# ------------------------------------------------------------------------------- reading


def test_blank_or_missing_means_the_default_and_units_are_converted() -> None:
    base = {"WORKERS_TABLE": "w", "IDEMPOTENCY_TABLE": "i"}
    assert IngestSettings.from_env(base) == IngestSettings(workers_table="w", idempotency_table="i")
    got = IngestSettings.from_env({**base, "MAX_FILE_MB": "2", "MAX_LINE_KB": "64", "IDEMPOTENCY_DAYS": " ",
                                   "PDF_WORKERS": "3"})
    assert got.limits == Limits(max_file_bytes=2 * 2**20, max_line_bytes=64 * 1024)
    assert got.idempotency_days == 90 and got.idempotency_seconds == 90 * 86_400 and got.pdf.workers == 3
    planner = PlannerSettings.from_env({"WORKERS_TABLE": "w", "NOTICES_TABLE": "n", "REMINDER_QUEUE_URL": "q",
                                        "REMINDER_QUEUE_KEY": "k", "OUTBOX_GRACE_MINUTES": "5"})
    assert planner.outbox_grace == timedelta(minutes=5) and planner.max_per_run == 3000
    sender = SenderSettings.from_env({"WORKERS_TABLE": "w", "NOTICES_TABLE": "n", "REMINDER_QUEUE_KEY": "k",
                                      "CLAIM_LEASE_SECONDS": "90"})
    assert sender.lease == timedelta(seconds=90) and sender.queue_url is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"IDEMPOTENCY_TABLE": "i"}, "WORKERS_TABLE must be set", id="required-missing"),
        pytest.param({"WORKERS_TABLE": "", "IDEMPOTENCY_TABLE": "i"}, "WORKERS_TABLE must be set", id="required-blank"),
        pytest.param({"WORKERS_TABLE": "w", "IDEMPOTENCY_TABLE": "i", "MAX_ROWS": "lots"}, "MAX_ROWS='lots'",
                     id="not-a-number"),
    ],
)
def test_a_bad_environment_fails_at_cold_start_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        IngestSettings.from_env(env)


def test_settings_are_built_directly_in_tests_and_nested_groups_are_listed() -> None:
    direct = PlannerSettings(workers_table="w", notices_table="n", queue_url="q", queue_key="k", max_per_run=3)
    assert direct.max_per_run == 3 and direct.threads == 1
    assert {"MAX_FILE_MB", "MAX_PDF_PAGES", "PDF_WORKERS", "WORKERS_TABLE"} <= set(IngestSettings.variables())
    assert settings.ReplaySettings.from_env({}).queue_url is None
