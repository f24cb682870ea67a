"""The deployable artifacts: built by the layer's Makefile (what `sam build` and `make build` run), importable
on their own, free of test tools, within Lambda's size limit, and pinned to uv.lock.

The layer is built here for this machine's Python (its wheels must load in this process's interpreter); the
production build differs only in the wheels' Python tag. boto3 comes from a folder of its own, as the
Lambda runtime provides it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lindungi_dev import build
from lindungi_dev.bench import artifacts as bench_artifacts
from lindungi_dev.emulator.template import ROOT, Stack, load_template

pytestmark = pytest.mark.slow

STACK = Stack(load_template())
FUNCTIONS = sorted(STACK.functions())


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    build.build(out, bench_artifacts.LOCAL_VERSION)
    return out


@pytest.fixture(scope="module")
def sdk() -> Path:
    return bench_artifacts.runtime_sdk()


def test_requirements_txt_is_uv_lock_without_the_runtime_sdk() -> None:
    assert build.REQUIREMENTS.read_text(encoding="utf-8") == build.requirements_text(), (
        "layers/lindungi/requirements.txt drifted from uv.lock: run `make requirements`"
    )
    pinned = {line.split("==")[0] for line in build.REQUIREMENTS.read_text().splitlines() if "==" in line}
    assert not pinned & set(build.RUNTIME_PROVIDED)


def test_every_function_and_the_layer_are_built_by_their_makefile() -> None:
    built = {logical_id for logical_id, _, _ in build.makefile_resources()}
    assert built == {*FUNCTIONS, *STACK.of_type("AWS::Serverless::LayerVersion")}
    for logical_id, _, source in build.makefile_resources():
        assert f"build-{logical_id}:" in (source / "Makefile").read_text(), f"{source}/Makefile"


def test_built_template_points_each_resource_at_its_artifact(artifacts: Path) -> None:
    from cfnlint.decode import decode_str

    built, _ = decode_str((artifacts / "template.yaml").read_text())
    assert built is not None
    for logical_id, kind, _ in build.makefile_resources():
        props = built["Resources"][logical_id]["Properties"]
        assert props["ContentUri" if kind == "layer" else "CodeUri"] == logical_id
        assert (artifacts / logical_id).is_dir()


def test_layer_has_runtime_dependencies_only(artifacts: Path) -> None:
    python = artifacts / "LindungiLayer" / "python"
    top = {p.name.split("-")[0].lower() for p in python.iterdir()}
    assert {"lindungi", "aws_lambda_powertools", "python_calamine", "pdfplumber", "phonenumbers"} <= top
    assert not top & {name.lower() for name in build.TEST_ONLY}, sorted(top & set(build.TEST_ONLY))
    assert (python / "lindungi" / "programs.json").exists(), "the package's data file ships too"


def test_function_and_layer_fit_lambdas_unzipped_limit(artifacts: Path) -> None:
    layer = build.Artifact("LindungiLayer", "layer", ROOT, artifacts / "LindungiLayer").unzipped_bytes
    for function in FUNCTIONS:
        total = layer + build.Artifact(function, "function", ROOT, artifacts / function).unzipped_bytes
        assert total < build.LAMBDA_UNZIPPED_LIMIT, f"{function}: {total / 2**20:.1f} MB"
    assert (artifacts / "IngestFunction" / "app.py").exists()
    assert not list((artifacts / "IngestFunction").glob("*.dist-info")), "functions carry no dependencies"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_handler_imports_in_a_clean_interpreter_from_the_artifacts_alone(
    function: str, artifacts: Path, sdk: Path
) -> None:
    seen = bench_artifacts.import_handler(artifacts, function, sdk, STACK)
    assert seen["handler"], "the template's Handler names a callable"
    assert seen["outside"] == [], f"imported from a site-packages: {seen['outside']}"
    assert seen["boto3_from"] and seen["boto3_from"].startswith(str(sdk)), "boto3 is the runtime's, not the layer's"
    # Powertools Tracer patches botocore when the module is imported, so every AWS call is an X-Ray subsegment.
    assert seen["xray_patches_botocore"]
