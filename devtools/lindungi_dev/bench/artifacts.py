"""The deployable artifacts, measured: unzipped size of each, and each handler's cold-start import time.

    python -m lindungi_dev.bench artifacts [--runs 7]

Sizes are those of ``make build`` (Lambda's python3.12 wheels, in ``.aws-sam/build``; built if missing).
Import times need an interpreter that can load the wheels, so the layer is built once more for this
machine's Python into ``.local/artifacts``; each handler is then imported in a fresh ``python -I -S``
process whose ``sys.path`` is only what Lambda would give it: the function's folder, the layer's
``python/`` and boto3 (which the Lambda runtime provides, installed here into a folder of its own). The
environment is the function's, from template.yaml. Median of ``runs`` processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from lindungi_dev import build
from lindungi_dev.emulator.template import REGION, ROOT, Stack, load_template

LOCAL = ROOT / ".local" / "artifacts"
LOCAL_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"

_PROBE = """
import json, sys, time
sys.path[:0] = {paths!r}
started = time.perf_counter()
import app
elapsed = time.perf_counter() - started
import botocore.client
report = {{
    "import_s": elapsed,
    "handler": callable(getattr(app, {handler!r}, None)),
    "xray_patches_botocore": hasattr(botocore.client.BaseClient._make_api_call, "__wrapped__"),
    "outside": sorted({{m.__name__.split(".")[0] for m in list(sys.modules.values())
                       if getattr(m, "__file__", None) and "site-packages" in m.__file__}}),
    "boto3_from": sys.modules["boto3"].__file__ if "boto3" in sys.modules else None,
}}
print(json.dumps(report))
"""


def runtime_sdk(folder: Path = LOCAL / "runtime") -> Path:
    """boto3 in a folder of its own: what the Lambda runtime provides beside the layer."""
    marker = folder / ".complete"
    if not marker.exists():
        folder.mkdir(parents=True, exist_ok=True)
        version = _locked_version("boto3")
        subprocess.run([*build.pip_command().split(), "install", "--quiet", "--disable-pip-version-check",
                        "--only-binary=:all:", "--target", str(folder), f"boto3=={version}"], check=True)
        marker.touch()
    return folder


def _locked_version(package: str) -> str:
    import tomllib

    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return next(p["version"] for p in lock["package"] if p["name"] == package)


def local_artifacts(out: Path = LOCAL / "build", rebuild: bool = False) -> Path:
    """The artifacts built for this machine's Python (so they can be imported here)."""
    if rebuild or not (out / "template.yaml").exists():
        build.build(out, LOCAL_VERSION)
    return out


def handler_env(stack: Stack, function: str) -> dict[str, str]:
    """What Lambda would set: the template's variables (Globals merged), region, function name."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return {**env, **stack.function_env(function), "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_LAMBDA_FUNCTION_NAME": f"lindungi-{function}", "AWS_ACCESS_KEY_ID": "unused",
            "AWS_SECRET_ACCESS_KEY": "unused"}


def import_handler(artifacts: Path, function: str, sdk: Path, stack: Stack | None = None) -> dict[str, Any]:
    """Import one handler in a clean interpreter from the artifacts alone; what it saw, and how long it took."""
    stack = stack or Stack(load_template())
    module, handler = stack.function_properties(function)["Handler"].rsplit(".", 1)
    assert module == "app", f"{function}: handler module {module!r}"
    paths = [str(artifacts / function), str(artifacts / _layer_id(stack) / "python"), str(sdk)]
    # -I: no user site, no PYTHON* variables; -S: no site-packages (of this venv or any other); -B: /opt
    # is read-only on Lambda, so nothing is written next to the code there either.
    done = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", _PROBE.format(paths=paths, handler=handler)],
                          capture_output=True, text=True, env=handler_env(stack, function), cwd=artifacts)
    if done.returncode:
        raise RuntimeError(f"{function} did not import from its artifacts:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _layer_id(stack: Stack) -> str:
    return next(iter(stack.of_type("AWS::Serverless::LayerVersion")))


def run(runs: int = 7) -> list[dict[str, Any]]:
    """One row per artifact: unzipped size, and for each handler the median cold-start import time."""
    if not (build.OUT / "template.yaml").exists():
        build.build(build.OUT)
    deployable = [build.Artifact(i, k, s, build.OUT / i) for i, k, s in build.makefile_resources()]
    rows = {r["artifact"]: r for r in build.size_table(deployable)}
    local, sdk, stack = local_artifacts(), runtime_sdk(), Stack(load_template())
    for function in stack.functions():
        times = [import_handler(local, function, sdk, stack)["import_s"] for _ in range(max(5, runs))]
        rows[function] |= {"import_ms_median": statistics.median(times) * 1000,
                           "import_ms_min": min(times) * 1000, "runs": len(times),
                           "python": LOCAL_VERSION}
    return list(rows.values())


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'artifact':<18} {'unzipped':>10} {'+ layer':>10} {'import (median)':>16} {'min':>9}")
    for row in rows:
        size = (f"{row['unzipped_mb']:.1f} MB" if row["unzipped_bytes"] >= 2**20
                else f"{row['unzipped_bytes'] / 1024:.1f} KB")
        total = f"{row['with_layer_mb']:.1f} MB" if "with_layer_mb" in row else ""
        timing = (f"{row['import_ms_median']:>13.0f} ms {row['import_ms_min']:>6.0f} ms"
                  if "import_ms_median" in row else "")
        print(f"{row['artifact']:<18} {size:>10} {total:>10} {timing}")
    print("sizes: python3.12 x86_64 artifacts of `make build` (Lambda limit: 250 MB unzipped, function + layers);"
          f" import: clean `python -I -S` on this machine's Python {LOCAL_VERSION}, module import only.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench artifacts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per handler (at least 5)")
    args = parser.parse_args(argv)
    print_table(run(args.runs))
    return 0

