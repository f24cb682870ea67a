"""SNS's SMS delivery-status logs, emulated: a carrier's answer for every SMS moto was asked to publish.

For each SMS published since the last call, ``deliver`` writes the record SNS would write, in SNS's own JSON
format, to the log group SNS would write it to (``sns/<region>/<account>/DirectPublishToPhoneNumber``, or
``.../Failure``), and hands each group's new records to the functions template.yaml subscribes to that group
(``AWS::Logs::SubscriptionFilter``), as CloudWatch Logs does: ``{"awslogs": {"data": base64(gzip(json))}}``,
invoked asynchronously (retries, then the OnFailure destination).

The carrier's rule, by the number's last digits (the demo states it):

- ...0   no such subscriber: FAILURE "Invalid phone number" (permanent: the number is marked unreachable);
- ...88  FAILURE "Unknown error attempting to reach phone" (unknown: recorded, never retried);
- ...09  switched off for good: FAILURE "Phone is currently unreachable/unavailable" every time (temporary:
         tried once more on a later day, which fails too, and that is final);
- ...9   switched off on the first day it is texted (the same temporary failure), on afterwards;
- else   SUCCESS "Message has been accepted by phone carrier".

(moto itself reports every number ending in 99 as opted out, so those are never texted at all.)
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from lindungi.config import programs

from .template import Stack

ACCEPTED = "Message has been accepted by phone carrier"
INVALID = "Invalid phone number"
UNKNOWN = "Unknown error attempting to reach phone"
UNREACHABLE = "Phone is currently unreachable/unavailable"
PRICE_USD = 0.0339  # what an SMS to Indonesia costs, give or take; carriers charge failed ones too
BATCH = 500  # log events per invocation (CloudWatch Logs batches up to about 1 MB)


class Invoker(Protocol):
    """What the carrier's records are delivered through: Lambda's asynchronous invoke of the stack's functions."""

    @property
    def stack(self) -> Stack: ...

    def invoke_async(self, function: str, event: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class Carrier:
    """Answers each SMS once, by the rule of the module docstring."""

    answered: set[str] = field(default_factory=set)
    first_day: dict[str, date] = field(default_factory=dict)

    def answer(self, number: str, today: date) -> tuple[bool, str]:
        """(delivered, providerResponse) for an SMS to ``number`` sent ``today``."""
        first = self.first_day.setdefault(number, today)
        if number.endswith("0"):
            return False, INVALID
        if number.endswith("88"):
            return False, UNKNOWN
        if number.endswith("09") or (number.endswith("9") and today == first):
            return False, UNREACHABLE
        return True, ACCEPTED


def status_record(message_id: str, number: str, delivered: bool, response: str, at: datetime) -> dict[str, Any]:
    """One delivery-status record exactly as SNS writes it (``timestamp`` is the publish time, UTC)."""
    delivery: dict[str, Any] = {
        "mnc": 10 if delivered else 0, "numberOfMessageParts": 1, "destination": number, "priceInUSD": PRICE_USD,
        "smsType": "Transactional", "mcc": 510 if delivered else 0, "providerResponse": response,
        "dwellTimeMs": 412, "dwellTimeMsUntilDeviceAck": 1871 if delivered else 2304,
    }
    if delivered:
        delivery["phoneCarrier"] = "Telkomsel"
    return {"notification": {"messageId": message_id, "timestamp": at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]},
            "delivery": delivery, "status": "SUCCESS" if delivered else "FAILURE"}


def awslogs_event(stack: Stack, log_group: str, filter_name: str, messages: list[tuple[int, str]]) -> dict[str, Any]:
    """What CloudWatch Logs sends a subscribed function: the batch as JSON, gzip'ed, base64-encoded."""
    batch = {
        "messageType": "DATA_MESSAGE", "owner": stack.account, "logGroup": log_group,
        "logStream": f"{uuid.uuid4()}", "subscriptionFilters": [filter_name],
        "logEvents": [{"id": str(uuid.uuid4().int)[:56].ljust(56, "0"), "timestamp": ts, "message": text}
                      for ts, text in messages],
    }
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(batch).encode())).decode()}}


def log_groups(stack: Stack) -> dict[str, str]:
    """SNS's two SMS delivery-status log groups: "success" and "failure" -> name."""
    base = f"sns/{stack.region}/{stack.account}/DirectPublishToPhoneNumber"
    return {"success": base, "failure": base + "/Failure"}


def subscriptions(stack: Stack) -> dict[str, list[tuple[str, str]]]:
    """Log group name -> [(subscription filter, function)], from template.yaml's subscription filters."""
    functions = {stack.resolve({"Fn::GetAtt": [f, "Arn"]}): f for f in stack.functions()}
    out: dict[str, list[tuple[str, str]]] = {}
    for logical, resource in stack.of_type("AWS::Logs::SubscriptionFilter").items():
        if "Condition" in resource and not stack.condition(resource["Condition"]):
            continue
        props = resource["Properties"]
        destination = functions.get(stack.resolve(props["DestinationArn"]))
        if destination and props.get("FilterPattern", "") == "":  # only "every event" patterns are emulated
            out.setdefault(str(stack.resolve(props["LogGroupName"])), []).append((logical, destination))
    return out


def deliver(runner: Invoker, carrier: Carrier, at_once: int = 1) -> dict[str, int]:
    """Answer every SMS published since the last call and deliver the records.

    ``at_once``: how many of the subscribed functions' invocations run at the same time (threads), as
    CloudWatch Logs delivers a subscription's batches concurrently; 1, one after another.

    Counts: SMS the carrier answered ``sms_delivered`` / ``sms_failed``, ``invocations`` (``_failed``), and
    the functions' outcomes (``delivered``, ``carrier_failed``, ``retry_planned``, ``duplicate``,
    ``unknown_message``) summed."""
    from moto.sns.models import sns_backends

    stack = runner.stack
    now = datetime.now(UTC)
    today = now.astimezone(programs().timezone).date()
    groups = log_groups(stack)
    pending: dict[str, list[tuple[int, str]]] = {name: [] for name in groups.values()}
    counts: Counter[str] = Counter()
    sms = sns_backends[stack.account][stack.region].sms_messages
    for message_id, (number, _text) in list(sms.items()):
        if message_id in carrier.answered:
            continue
        carrier.answered.add(message_id)
        delivered, response = carrier.answer(number, today)
        record = status_record(message_id, number, delivered, response, now - timedelta(seconds=5))
        pending[groups["success" if delivered else "failure"]].append((int(now.timestamp() * 1000),
                                                                      json.dumps(record)))
        counts["sms_delivered" if delivered else "sms_failed"] += 1
    targets = subscriptions(stack)
    invocations = [(function, awslogs_event(stack, group, filter_name, messages[start:start + BATCH]))
                   for group, messages in pending.items() for start in range(0, len(messages), BATCH)
                   for filter_name, function in targets.get(group, [])]
    with ThreadPoolExecutor(at_once) if at_once > 1 and len(invocations) > 1 else contextlib.nullcontext() as pool:
        results = (pool.map if pool else map)(lambda args: runner.invoke_async(*args), invocations)
        for result in results:
            counts["invocations"] += 1
            counts["invocations_failed"] += 0 if result["ok"] else 1
            if result["ok"]:
                counts.update(result["result"].get("outcomes", {}))
    return dict(counts)
