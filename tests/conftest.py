"""Shared fixtures: moto's AWS, provisioned from template.yaml (no second copy of the resources)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.provision import provision
from lindungi_dev.emulator.template import REGION, Stack

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Lindungi")


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """moto's in-process AWS with every resource of template.yaml; all functions' env vars exported."""
    with mock_aws():
        stack = provision(boto3.Session(region_name=REGION))
        for function in stack.functions():
            for name, value in stack.function_env(function).items():
                if name != "POWERTOOLS_SERVICE_NAME":
                    monkeypatch.setenv(name, value)
        yield stack


@pytest.fixture
def lambdas(aws: Stack) -> LambdaRunner:
    """Runs the template's functions in-process against the mocked AWS, as Lambda would."""
    return LambdaRunner(aws, boto3.Session(region_name=REGION))
