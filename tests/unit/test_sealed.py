"""The reminder queue's sealed bodies (``lindungi.reminders.sealed``) on moto's KMS: no NIK in a body, the
sender's opener reads it back with one KMS call a data key, and what does not open is refused or retried."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from lindungi.reminders.notices import mask_id, notice_id
from lindungi.reminders.sealed import CONTEXT, KeyUnavailable, Opener, Refused, Sealer
from lindungi_dev.emulator.lambdas import environment
from lindungi_dev.emulator.template import REGION

IDENT = notice_id("6172014509850003", "pekerja-rentan", "2025-01-01", 7)


@pytest.fixture(scope="module")
def mocked() -> Iterator[None]:
    """One moto for the module (starting it costs a second); each test makes keys of its own."""
    with environment({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                      "AWS_ENDPOINT_URL": None}), mock_aws():
        yield


@pytest.fixture
def kms(mocked: None) -> Any:
    return boto3.client("kms", region_name=REGION)


@pytest.fixture
def key(kms: Any) -> str:
    return str(kms.create_key(Description="this stack's DataKey")["KeyMetadata"]["Arn"])


def _calls(client: Any, operation: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    client.meta.events.register(f"before-parameter-build.kms.{operation}", lambda params, **_: calls.append(params))
    return calls


def _with(body: str, **fields: Any) -> str:
    return json.dumps(json.loads(body) | fields)


def _flip(b64: str) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[-1] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def test_no_nik_in_any_body_and_the_opener_reads_each_back(kms: Any, key: str) -> None:
    """Property: whatever the NIK (and program, TMT, stage), the body holds neither it nor any run of its digits
    longer than a date's, and opens to the notice id."""
    sealer, opener = Sealer(kms, key), Opener(kms, key)

    @settings(max_examples=150, deadline=None)
    @given(nik=st.from_regex(r"\A[0-9]{16}\Z"), program=st.sampled_from(["pekerja-rentan", "pekerja-sawit"]),
           start=st.dates().map(lambda d: d.isoformat()), stage=st.sampled_from([1, 7, 30]))
    def sealed(nik: str, program: str, start: str, stage: int) -> None:
        ident = notice_id(nik, program, start, stage)
        body = sealer.seal(ident)
        assert nik not in body and nik[4:12] not in body and mask_id(ident) not in body
        assert json.loads(body)["kid"] == key
        assert opener.open(body).notice_id == ident

    sealed()


def test_one_data_key_a_run_and_one_decrypt_a_data_key(kms: Any, key: str) -> None:
    generated, decrypted = _calls(kms, "GenerateDataKey"), _calls(kms, "Decrypt")
    run_1, run_2 = Sealer(kms, key), Sealer(kms, key)
    bodies = [run_1.seal(IDENT) for _ in range(25)] + [run_2.seal(IDENT) for _ in range(25)]
    assert len(set(bodies)) == 50  # a fresh nonce each: the same notice twice is not the same body
    opener = Opener(kms, key)
    assert {opener.open(b).notice_id for b in bodies} == {IDENT}
    assert len(generated) == 2 and len(decrypted) == 2
    assert all(c["EncryptionContext"] == CONTEXT for c in generated + decrypted)
    assert all(c["KeyId"] == key for c in decrypted)  # never "whatever key the blob names"


def _other_key(kms: Any, key: str) -> str:
    other = kms.create_key(Description="another stack's DataKey")["KeyMetadata"]["Arn"]
    return Sealer(kms, other).seal(IDENT)


def _other_context(kms: Any, key: str) -> str:
    """A data key of this key, made for something else (no reminder-queue context), used to seal by hand."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from lindungi.reminders.sealed import AAD

    answer = kms.generate_data_key(KeyId=key, KeySpec="AES_256", EncryptionContext={"purpose": "something-else"})
    sealed = AESGCM(answer["Plaintext"]).encrypt(b"\0" * 12, IDENT.encode(), AAD)
    return json.dumps({"v": 1, "kid": key, "dk": base64.b64encode(answer["CiphertextBlob"]).decode(),
                       "iv": base64.b64encode(b"\0" * 12).decode(), "ct": base64.b64encode(sealed).decode()})


REFUSALS: list[Any] = [
    pytest.param(lambda kms, key: "not json", "malformed", id="not-json"),
    pytest.param(lambda kms, key: "[1, 2]", "malformed", id="not-an-object"),
    pytest.param(lambda kms, key: json.dumps({"notice_id": 7}), "malformed", id="old-form-not-a-string"),
    pytest.param(lambda kms, key: _with(Sealer(kms, key).seal(IDENT), v=2), "malformed", id="unknown-version"),
    pytest.param(lambda kms, key: _with(Sealer(kms, key).seal(IDENT), ct=None), "malformed", id="field-missing"),
    pytest.param(lambda kms, key: _with(Sealer(kms, key).seal(IDENT), iv="@@@"), "malformed", id="not-base64"),
    pytest.param(_other_key, "other_key", id="another-stacks-key"),
    pytest.param(lambda kms, key: _with(b := Sealer(kms, key).seal(IDENT), ct=_flip(json.loads(b)["ct"])),
                 "tampered", id="ciphertext-flipped"),
    pytest.param(lambda kms, key: _with(b := Sealer(kms, key).seal(IDENT), iv=_flip(json.loads(b)["iv"])),
                 "tampered", id="nonce-flipped"),
    pytest.param(lambda kms, key: _with(b := Sealer(kms, key).seal(IDENT), dk=_flip(json.loads(b)["dk"])),
                 "tampered", id="data-key-flipped"),
    pytest.param(lambda kms, key: _with(Sealer(kms, key).seal(IDENT), ct=json.loads(Sealer(kms, key).seal(
        "6172014509850011#pekerja-rentan#2025-01-01#7"))["ct"]), "tampered", id="ciphertext-of-another-run"),
    pytest.param(_other_context, "tampered", id="data-key-of-another-context"),
]


@pytest.mark.parametrize(("make", "reason"), REFUSALS)
def test_a_body_that_will_never_open_is_refused_saying_why(kms: Any, key: str, make: Callable[[Any, str], str],
                                                           reason: str) -> None:
    body = make(kms, key)
    with pytest.raises(Refused) as refused:
        Opener(kms, key).open(body)
    assert refused.value.reason == reason
    assert "6172014509850003" not in str(refused.value)


def test_the_old_clear_form_is_still_read_for_one_release(kms: Any, key: str) -> None:
    opened = Opener(kms, key).open(json.dumps({"notice_id": IDENT}))
    assert opened.notice_id == IDENT and opened.legacy


def test_kms_not_answering_is_retried_not_refused_and_not_cached(kms: Any, key: str) -> None:
    body = Sealer(kms, key).seal(IDENT)
    opener = Opener(kms, key)

    def throttled(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Decrypt")

    kms.meta.events.register("before-call.kms.Decrypt", throttled)
    with pytest.raises(KeyUnavailable, match="ThrottlingException"):
        opener.open(body)
    kms.meta.events.unregister("before-call.kms.Decrypt", throttled)
    assert opener.open(body).notice_id == IDENT
    with pytest.raises(KeyUnavailable, match="REMINDER_QUEUE_KEY"):
        Opener(kms, None).open(body)


def test_a_key_named_by_its_id_rather_than_its_arn_still_opens_what_it_sealed(kms: Any, key: str) -> None:
    body = Sealer(kms, key).seal(IDENT)
    assert Opener(kms, key.rsplit("/", 1)[1]).open(body).notice_id == IDENT  # KMS, not the ARN, decides then
