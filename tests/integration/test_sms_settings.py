"""`python -m lindungi sms-settings`: the account's SMS settings, set through SNS (moto)."""

from __future__ import annotations

import json

import boto3
import pytest

from lindungi.ops.cli import main
from lindungi.ops.sms_settings import apply, sms_attributes
from lindungi_dev.emulator.template import REGION, Stack

ROLE = "arn:aws:iam::123456789012:role/lindungi-SmsDeliveryStatusRole-ABC"


def test_command_sets_transactional_delivery_logs_and_spend_limit(
    aws: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sms-settings", "--delivery-role-arn", ROLE, "--success-sampling", "25",
                 "--monthly-spend-limit", "40"])
    assert code == 0
    now = boto3.client("sns", region_name=REGION).get_sms_attributes()["attributes"]
    assert now["DefaultSMSType"] == "Transactional"
    assert now["DeliveryStatusIAMRole"] == ROLE
    assert now["DeliveryStatusSuccessSamplingRate"] == "25"
    assert now["MonthlySpendLimit"] == "40"
    printed = json.loads(capsys.readouterr().out)
    assert printed["now"]["DeliveryStatusIAMRole"] == ROLE


def test_spend_limit_left_alone_unless_given(aws: Stack) -> None:
    sns = boto3.client("sns", region_name=REGION)
    sns.set_sms_attributes(attributes={"MonthlySpendLimit": "7"})
    apply(sns, sms_attributes(ROLE))
    assert sns.get_sms_attributes()["attributes"]["MonthlySpendLimit"] == "7"


def test_dry_run_calls_no_aws(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sms-settings", "--delivery-role-arn", ROLE, "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["would_set"]["DeliveryStatusSuccessSamplingRate"] == "100"


@pytest.mark.parametrize(
    ("role", "sampling", "limit"),
    [
        pytest.param("lindungi-role", 100, None, id="role-name-not-arn"),
        pytest.param("arn:aws:iam::123456789012:user/ops", 100, None, id="user-not-role"),
        pytest.param(ROLE, 101, None, id="sampling-over-100"),
        pytest.param(ROLE, -1, None, id="sampling-negative"),
        pytest.param(ROLE, 100, 0, id="spend-limit-zero"),
    ],
)
def test_bad_settings_are_refused_before_aws(role: str, sampling: int, limit: int | None) -> None:
    with pytest.raises(ValueError):
        sms_attributes(role, sampling, limit)
