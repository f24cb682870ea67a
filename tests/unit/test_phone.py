"""Phone normalisation to E.164: one row a messy case, as offices type them."""

from __future__ import annotations

import pytest

from lindungi import phone
from lindungi.outcomes import Warn


@pytest.mark.parametrize(
    ("cell", "e164", "warnings"),
    [
        pytest.param("081234567890", "+6281234567890", (), id="08-plain"),
        pytest.param("0812-3456-7890", "+6281234567890", (), id="dashes"),
        pytest.param("0812 3456 7890", "+6281234567890", (), id="spaces"),
        pytest.param("(0812) 3456.7890", "+6281234567890", (), id="brackets-dots"),
        pytest.param("+62 812 3456 7890", "+6281234567890", (), id="plus-62"),
        pytest.param("6281234567890", "+6281234567890", (), id="62-no-plus"),
        pytest.param("81234567890", "+6281234567890", (), id="leading-zero-lost-text"),
        pytest.param(81234567890.0, "+6281234567890", (), id="leading-zero-lost-number-cell"),
        pytest.param(6281234567890, "+6281234567890", (), id="62-number-cell"),
        pytest.param("'081234567890", "+6281234567890", (), id="apostrophe"),
        pytest.param("0812-3456-7890 / 0813-1111-2222", "+6281234567890", (Warn.PHONE_MULTIPLE,), id="two-slash"),
        pytest.param("081234567890, 081311112222", "+6281234567890", (Warn.PHONE_MULTIPLE,), id="two-comma"),
        pytest.param("081234567890 atau 081311112222", "+6281234567890", (Warn.PHONE_MULTIPLE,), id="two-atau"),
        pytest.param("0812 3456 7890\n0813 1111 2222", "+6281234567890", (Warn.PHONE_MULTIPLE,), id="two-lines"),
        pytest.param("0561 631234", "+62561631234", (Warn.PHONE_NOT_MOBILE,), id="singkawang-landline"),
        pytest.param("(0561) 631234 / 0812-3456-7890", "+62561631234",
                     (Warn.PHONE_MULTIPLE, Warn.PHONE_NOT_MOBILE), id="landline-first-of-two"),
        pytest.param("12345", None, (Warn.PHONE_INVALID,), id="too-short"),
        pytest.param("+60 12-345 6789", None, (Warn.PHONE_INVALID,), id="malaysian-mobile"),
        pytest.param("tidak ada", None, (Warn.PHONE_INVALID,), id="words"),
        pytest.param("", None, (Warn.PHONE_MISSING,), id="empty"),
        pytest.param(None, None, (Warn.PHONE_MISSING,), id="none"),
        pytest.param("-", None, (Warn.PHONE_MISSING,), id="dash-placeholder"),
    ],
)
def test_phone_normalize(cell: object, e164: str | None, warnings: tuple[Warn, ...]) -> None:
    result = phone.normalize(cell)  # type: ignore[arg-type]
    assert (result.e164, result.warnings) == (e164, warnings)
    assert result.sms_capable == (e164 is not None and Warn.PHONE_NOT_MOBILE not in warnings)


@pytest.mark.parametrize(
    "number", ["0811234567", "081234567890", "0857123456789", "0895123456789", "087812345678", "085212345678"]
)
def test_phone_fast_path_agrees_with_libphonenumber(number: str) -> None:
    """The fast path is an optimisation only: the full parser gives the same answer."""
    import phonenumbers

    parsed = phonenumbers.parse(number, "ID")
    full = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    assert phonenumbers.is_valid_number(parsed)
    assert phone.normalize(number).e164 == full


def test_phone_mask() -> None:
    assert phone.mask("+6281234567890") == "+62812****7890"


@pytest.mark.parametrize(
    ("cell", "fallback"),
    [
        pytest.param("0812-3456-7890 / 0813-1111-2222", "+6281311112222", id="second-mobile-kept"),
        pytest.param("081234567890 atau (0561) 631234", None, id="a-landline-is-no-fallback"),
        pytest.param("081234567890 / 0812-3456-7890", None, id="the-same-number-twice"),
        pytest.param("081234567890", None, id="one-number"),
    ],
)
def test_the_second_sms_capable_number_of_a_cell_is_the_fallback(cell: str, fallback: str | None) -> None:
    assert phone.normalize(cell).fallback == fallback
