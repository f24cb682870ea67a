"""The account's SMS settings in SNS: message type, delivery-status logs and the monthly spend limit.

SNS keeps these per account and region, not per stack, so CloudFormation has no resource for them; an
operator sets them once after the first deploy::

    python -m lindungi sms-settings --delivery-role-arn <SmsDeliveryStatusRoleArn output> \\
        [--success-sampling 100] [--monthly-spend-limit 50]

- ``DefaultSMSType=Transactional``: reminders are time-critical, and Indonesian carriers filter
  promotional traffic.
- ``DeliveryStatusIAMRole``: SNS writes each SMS's carrier outcome to CloudWatch Logs
  (``sns/<region>/<account>/DirectPublishToPhoneNumber`` and ``.../Failure``) with this role; the
  template creates both the role and the log groups (encrypted, short retention: SNS writes full phone
  numbers there). Failures are always logged; ``DeliveryStatusSuccessSamplingRate`` is the share of
  successes logged too.
- ``MonthlySpendLimit`` (USD): SNS stops sending SMS for the rest of the month once reached. Above the
  account's quota (USD 1 for a new account) it is refused until AWS Support raises the quota.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


def sms_attributes(delivery_role_arn: str, success_sampling: int = 100,
                   monthly_spend_limit: int | None = None) -> dict[str, str]:
    """The ``SetSMSAttributes`` attributes, checked before anything is sent to AWS."""
    if not ROLE_ARN.match(delivery_role_arn):
        raise ValueError(f"not an IAM role ARN: {delivery_role_arn!r}")
    if not 0 <= success_sampling <= 100:
        raise ValueError("success sampling is a percentage, 0-100")
    attributes = {
        "DefaultSMSType": "Transactional",
        "DeliveryStatusIAMRole": delivery_role_arn,
        "DeliveryStatusSuccessSamplingRate": str(success_sampling),
    }
    if monthly_spend_limit is not None:
        if monthly_spend_limit < 1:
            raise ValueError("the monthly spend limit is a whole number of USD, at least 1")
        attributes["MonthlySpendLimit"] = str(monthly_spend_limit)
    return attributes


def apply(sns: Any, attributes: dict[str, str]) -> dict[str, str]:
    """Set the attributes; return the account's SMS settings as SNS now reports them."""
    sns.set_sms_attributes(attributes=attributes)
    now = sns.get_sms_attributes()["attributes"]
    return {k: now.get(k, "") for k in sorted(attributes)}


def _run(args: argparse.Namespace) -> int:
    attributes = sms_attributes(args.delivery_role_arn, args.success_sampling, args.monthly_spend_limit)
    if args.dry_run:
        print(json.dumps({"would_set": attributes}, indent=1, sort_keys=True))
        return 0
    import boto3

    now = apply(boto3.client("sns"), attributes)
    print(json.dumps({"set": attributes, "now": now}, indent=1, sort_keys=True))
    return 0 if all(now.get(k) == v for k, v in attributes.items()) else 1


def add_parser(commands: Any) -> None:
    """The ``sms-settings`` subcommand of ``python -m lindungi``."""
    parser = commands.add_parser("sms-settings", help="switch on SMS delivery-status logs and set the spend limit",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delivery-role-arn", required=True,
                        help="the stack's SmsDeliveryStatusRoleArn output")
    parser.add_argument("--success-sampling", type=int, default=100,
                        help="percent of successful SMS whose delivery status is logged (default 100)")
    parser.add_argument("--monthly-spend-limit", type=int,
                        help="USD per month after which SNS sends no more SMS (default: leave as it is)")
    parser.add_argument("--dry-run", action="store_true", help="print the settings without calling AWS")
    parser.set_defaults(run=_run)
