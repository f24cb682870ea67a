"""Delivery receipts without AWS: SNS's delivery-status records parsed, the provider's reasons classified,
the retry day chosen. What DynamoDB does with them is in tests/integration/test_receipts_aws.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from lindungi.config import programs
from lindungi.reminders.receipts import (
    PROVIDER_RESPONSES,
    CarrierClass,
    NotAReceipt,
    Receipt,
    Receipts,
    classify,
    parse,
)
from lindungi.settings import ReceiptsSettings
from lindungi_dev.emulator import carrier

# The two records of SNS's documentation ("Viewing CloudWatch metrics and logs for SMS deliveries"), verbatim.
DOC_SUCCESS = """{"notification": {"messageId": "34d9b400-c6dd-5444-820d-fbeb0f1f54cf",
  "timestamp": "2016-06-28 00:40:34.558"}, "delivery": {"phoneCarrier": "My Phone Carrier", "mnc": 270,
  "destination": "+1XXX5550100", "priceInUSD": 0.00645, "smsType": "Transactional", "mcc": 310,
  "providerResponse": "Message has been accepted by phone carrier", "dwellTimeMs": 599,
  "dwellTimeMsUntilDeviceAck": 1344}, "status": "SUCCESS"}"""
DOC_FAILURE = """{"notification": {"messageId": "1077257a-92f3-5ca3-bc97-6a915b310625",
  "timestamp": "2016-06-28 00:40:34.559"}, "delivery": {"mnc": 0, "destination": "+1XXX5550100",
  "priceInUSD": 0.00645, "smsType": "Transactional", "mcc": 0,
  "providerResponse": "Unknown error attempting to reach phone", "dwellTimeMs": 1420,
  "dwellTimeMsUntilDeviceAck": 1692}, "status": "FAILURE"}"""


def test_documented_success_record() -> None:
    receipt = parse(DOC_SUCCESS)
    assert receipt.message_id == "34d9b400-c6dd-5444-820d-fbeb0f1f54cf" and receipt.delivered
    assert receipt.published_at == datetime(2016, 6, 28, 0, 40, 34, 558000, UTC)
    assert receipt.answered_at == datetime(2016, 6, 28, 0, 40, 35, 902000, UTC)  # + dwellTimeMsUntilDeviceAck
    assert receipt.price_usd == Decimal("0.00645") and isinstance(receipt.price_usd, Decimal)
    assert receipt.carrier_class is None and receipt.destination == "+1XXX5550100"


def test_documented_failure_record() -> None:
    receipt = parse(DOC_FAILURE)
    assert not receipt.delivered and receipt.provider_response == "Unknown error attempting to reach phone"
    assert receipt.carrier_class is CarrierClass.UNKNOWN


@pytest.mark.parametrize("delivered", [True, False])
def test_the_emulators_records_are_read_back(delivered: bool) -> None:
    at = datetime(2025, 5, 24, 2, 5, 12, 558000, UTC)
    record = carrier.status_record("m-1", "+6281234567891", delivered, "whatever", at)
    receipt = parse(json.dumps(record))
    assert (receipt.message_id, receipt.delivered, receipt.published_at) == ("m-1", delivered, at)


def _doc(**changes: Any) -> str:
    record = json.loads(DOC_FAILURE)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = record
        for parent in parents:
            target = target[parent]
        if value is None:
            target.pop(leaf)
        else:
            target[leaf] = value
    return json.dumps(record)


@pytest.mark.parametrize("message", [
    "", "not json", "[]", '"a string"', "{}",
    _doc(notification=None),
    _doc(notification__messageId=None),
    _doc(notification__messageId=""),
    _doc(notification__timestamp=None),
    _doc(notification__timestamp="yesterday"),
    _doc(status=None),
    _doc(status="PENDING"),
    # Lambda's own log lines arrive in a log group too if someone subscribes the wrong one.
    '{"level":"INFO","message":"notice handled"}',
])
def test_what_is_not_a_delivery_status_record(message: str) -> None:
    with pytest.raises(NotAReceipt):
        parse(message)


@pytest.mark.parametrize("message, price, response", [
    (_doc(delivery=None), None, ""),  # no delivery block: still a receipt, with nothing to say why
    (_doc(delivery__priceInUSD=None), None, "Unknown error attempting to reach phone"),
    (_doc(delivery__providerResponse=None), Decimal("0.00645"), ""),
    (_doc(delivery__dwellTimeMsUntilDeviceAck=None), Decimal("0.00645"), "Unknown error attempting to reach phone"),
])
def test_optional_fields_may_be_missing(message: str, price: Decimal | None, response: str) -> None:
    receipt = parse(message)
    assert (receipt.price_usd, receipt.provider_response) == (price, response)
    assert receipt.answered_at >= receipt.published_at


@pytest.mark.parametrize("reason, expected", [
    # Every reason SNS documents for an SMS delivery failure.
    ("Phone carrier is currently unreachable/unavailable", CarrierClass.TEMPORARY),
    ("Phone is currently unreachable/unavailable", CarrierClass.TEMPORARY),
    ("Phone number is opted out", CarrierClass.PERMANENT),
    ("Invalid phone number", CarrierClass.PERMANENT),
    ("Phone has blocked SMS", CarrierClass.PERMANENT),
    ("Phone is on a blocked list", CarrierClass.PERMANENT),
    ("Destination is on a blocked list", CarrierClass.PERMANENT),
    ("Phone carrier has blocked this message", CarrierClass.UNKNOWN),
    ("Blocked as spam by phone carrier", CarrierClass.UNKNOWN),
    ("Message body is invalid", CarrierClass.UNKNOWN),
    ("This delivery would exceed max price", CarrierClass.UNKNOWN),
    ("Unknown error attempting to reach phone", CarrierClass.UNKNOWN),
    # Spelled differently: case, spacing, a full stop.
    ("PHONE IS CURRENTLY UNREACHABLE/UNAVAILABLE", CarrierClass.TEMPORARY),
    ("  Invalid   phone number. ", CarrierClass.PERMANENT),
    # Not in the table: the phrases, then unknown.
    ("The phone number is opted out of SMS", CarrierClass.PERMANENT),
    ("Invalid phone number (unknown subscriber)", CarrierClass.PERMANENT),
    ("Phone is currently unreachable; try later", CarrierClass.TEMPORARY),
    ("Message has been accepted by phone carrier", CarrierClass.UNKNOWN),  # a success text on a FAILURE
    ("Telkomsel: error 0x1F", CarrierClass.UNKNOWN),
    ("", CarrierClass.UNKNOWN),
    (None, CarrierClass.UNKNOWN),
])
def test_classification(reason: str | None, expected: CarrierClass) -> None:
    assert classify(reason) is expected


def test_the_table_is_written_as_it_is_matched() -> None:
    assert all(key == " ".join(key.casefold().split()).rstrip(".") for key in PROVIDER_RESPONSES)
    assert set(PROVIDER_RESPONSES.values()) == set(CarrierClass)


@pytest.mark.parametrize("answered_utc, planned_local", [
    (datetime(2025, 5, 24, 2, 6, tzinfo=UTC), datetime(2025, 5, 25, 8)),  # 09:06 WIB -> tomorrow 08:00
    (datetime(2025, 5, 24, 16, 59, tzinfo=UTC), datetime(2025, 5, 25, 8)),  # 23:59 WIB, still the 24th
    (datetime(2025, 5, 24, 17, 0, tzinfo=UTC), datetime(2025, 5, 26, 8)),  # 00:00 WIB on the 25th
    (datetime(2025, 12, 31, 12, 0, tzinfo=UTC), datetime(2026, 1, 1, 8)),
])
def test_a_temporary_failure_is_planned_for_the_next_local_morning(answered_utc: datetime,
                                                                   planned_local: datetime) -> None:
    wib = programs().timezone
    receipts = Receipts(None, ReceiptsSettings(notices_table="NoticesTable"), programs())
    receipt = Receipt("m", False, "Phone is currently unreachable/unavailable", answered_utc, answered_utc)
    assert receipts.retry_at(receipt) == planned_local.replace(tzinfo=wib)


@pytest.mark.parametrize("number, first_day, expected", [
    ("+6281234567891", True, (True, carrier.ACCEPTED)),
    ("+6281234567890", True, (False, carrier.INVALID)),
    ("+6281234567888", True, (False, carrier.UNKNOWN)),
    ("+6281234567819", True, (False, carrier.UNREACHABLE)),
    ("+6281234567819", False, (True, carrier.ACCEPTED)),
    ("+6281234567809", False, (False, carrier.UNREACHABLE)),
])
def test_the_emulated_carriers_rule(number: str, first_day: bool, expected: tuple[bool, str]) -> None:
    from datetime import date

    emulated = carrier.Carrier()
    if not first_day:
        emulated.answer(number, date(2025, 5, 1))
    assert emulated.answer(number, date(2025, 5, 2)) == expected
