"""Receipts kept for replay (``lindungi.reminders.failed_receipts``): no full number or NIK survives, the replay event
is what CloudWatch Logs sends and the receipts function reads back the same records."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent

from lindungi.reminders.failed_receipts import awslogs_event, failure_messages, masked
from lindungi.reminders.receipts import parse

RECORD = {"notification": {"messageId": "m-1", "timestamp": "2025-05-24 02:06:00.000"},
          "delivery": {"destination": "+6281234567890", "providerResponse": "Invalid phone number",
                       "priceInUSD": 0.0339, "dwellTimeMs": 412},
          "status": "FAILURE"}


@pytest.mark.parametrize(("message", "gone", "kept"), [
    ("indonesian number", "+6281234567890", "+62812****7890"),
    ("a foreign number, masked by position", "+14155550123", "+14155**0123"),
    ("a NIK quoted in the carrier's reason", "6172014509850003", "6172********0003"),
    ("not JSON at all", "0812-3456-7890", "0812****7890"),
])
def test_no_number_or_nik_survives(message: str, gone: str, kept: str) -> None:
    if message == "not JSON at all":
        text = masked(f"garbage {gone} garbage")
    elif message.startswith("a NIK"):
        text = masked(json.dumps(RECORD | {"delivery": RECORD["delivery"] | {"providerResponse": f"NIK {gone}"}}))
    else:
        text = masked(json.dumps(RECORD | {"delivery": RECORD["delivery"] | {"destination": gone}}))
    assert gone not in text and kept in text


def test_the_replay_event_gives_the_function_the_same_receipts_numbers_masked() -> None:
    events = [{"id": "1", "timestamp": 1716516360000, "message": json.dumps(RECORD)}]
    (body,) = failure_messages("lindungi-ReceiptsFunction", "sns/ap-southeast-3/1/DirectPublishToPhoneNumber/Failure",
                               "stream", events, "ClientError")
    event = CloudWatchLogsEvent(awslogs_event(json.loads(body)))
    data = event.parse_logs_data()
    (log_event,) = data.log_events
    assert (data.message_type, data.log_group, log_event.get_id) == \
        ("DATA_MESSAGE", "sns/ap-southeast-3/1/DirectPublishToPhoneNumber/Failure", "1")
    again, original = parse(log_event.message), parse(json.dumps(RECORD))
    assert again.destination == "+62812****7890"
    assert (again.message_id, again.delivered, again.provider_response, again.answered_at, again.price_usd) == \
        (original.message_id, original.delivered, original.provider_response, original.answered_at,
         original.price_usd)
