"""Reminder queue bodies, sealed: the notice id (which starts with a NIK) never travels in clear.

Anyone who may receive from ``ReminderQueue`` or ``ReminderDLQ`` (an operator, a support role, a tool that
peeks at queues) would otherwise read full NIKs. SQS's own encryption (the stack's key, through SQS) protects
the bytes at rest, not from a reader of the queue. So the body is sealed by envelope encryption with the
stack's key (``DataKey``):

- the planner (one ``Sealer`` a run) asks KMS for one data key (``GenerateDataKey``, AES-256, encryption
  context ``CONTEXT``) and seals each notice id with AES-GCM (a fresh 96-bit nonce each, ``AAD`` bound in);
- the body carries the key's ARN, the data key as KMS encrypted it, the nonce and the ciphertext::

      {"v": 1, "kid": "<key arn>", "dk": "<base64>", "iv": "<base64>", "ct": "<base64>"}

- the sender (one ``Opener`` per container) decrypts each distinct data key once (``Decrypt`` with the key id
  and the same context) and keeps it, so a run's thousands of messages cost one KMS call per container.

The roles may call KMS only with that context (template.yaml: ``kms:EncryptionContext:purpose``), so this
path cannot decrypt anything else sealed with the key, nor can a body be opened under another context.

A body is ``Refused`` (never opened, whatever retries) when it is not JSON of this shape, names another key
(``other_key``: another stack's planner, or a copy from another account), or fails authentication
(``tampered``: KMS refuses the data key, or AES-GCM the ciphertext). Everything else KMS answers (throttling,
access denied, a disabled key) is ``KeyUnavailable``: the message is tried again.

Old bodies. Until this release the body was ``{"notice_id": "<id>"}``; ``open`` still reads that form, for
one release, so messages queued before the deploy are sent (docs/operations.md, "Deploying"). The release
after drops it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CONTEXT = {"purpose": "lindungi-reminder-queue"}
"""The KMS encryption context of every data key sealing a reminder body (the IAM grants require it)."""
AAD = b"lindungi reminder-queue body v1"
VERSION = 1
CACHED_KEYS = 64
"""Data keys an ``Opener`` keeps: one a planner run (a continuation is a run of its own), so weeks of them."""
REFUSING = {"InvalidCiphertextException": "tampered", "IncorrectKeyException": "other_key"}
"""KMS answers that say the data key was not sealed with this key and context: no retry changes them."""


class Refused(ValueError):
    """A body that will never open: ``reason`` is ``malformed``, ``other_key`` or ``tampered``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class KeyUnavailable(RuntimeError):
    """KMS did not answer the data key (throttled, access denied, the key disabled): try the message again."""


@dataclass(frozen=True)
class Opened:
    notice_id: str
    legacy: bool = False
    """The body was the old ``{"notice_id": ...}`` form, in clear (accepted for one release)."""


def _is_key_arn(key_id: str) -> bool:
    return key_id.startswith("arn:") and ":key/" in key_id


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Sealer:
    """Seals notice ids under one data key, asked of KMS at the first seal (a planner run makes one)."""

    def __init__(self, kms: Any, key_id: str) -> None:
        self.kms = kms
        self.key_id = key_id
        self._aead: AESGCM | None = None
        self._envelope: dict[str, str] = {}

    def seal(self, notice_id: str) -> str:
        if self._aead is None:
            answer = self.kms.generate_data_key(KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=CONTEXT)
            self._aead = AESGCM(answer["Plaintext"])
            self._envelope = {"kid": str(answer["KeyId"]), "dk": _b64(answer["CiphertextBlob"])}
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, notice_id.encode("utf-8"), AAD)
        return json.dumps({"v": VERSION, **self._envelope, "iv": _b64(nonce), "ct": _b64(sealed)})


class Opener:
    """Opens sealed bodies with ``key_id``; each distinct data key is decrypted once and kept (``CACHED_KEYS``)."""

    def __init__(self, kms: Any, key_id: str | None) -> None:
        self.kms = kms
        self.key_id = key_id
        self._keys: OrderedDict[str, AESGCM] = OrderedDict()

    def open(self, body: str) -> Opened:
        """The notice id a body carries; ``Refused`` or ``KeyUnavailable`` when it cannot be had."""
        try:
            raw = json.loads(body)
        except (ValueError, TypeError) as error:
            raise Refused("malformed", "not JSON") from error
        if not isinstance(raw, dict):
            raise Refused("malformed", "not a JSON object")
        if set(raw) == {"notice_id"} and isinstance(raw["notice_id"], str):
            return Opened(raw["notice_id"], legacy=True)
        if raw.get("v") != VERSION or not all(isinstance(raw.get(f), str) for f in ("kid", "dk", "iv", "ct")):
            raise Refused("malformed", "not a sealed reminder body")
        if self.key_id is None:
            raise KeyUnavailable("no key configured to open sealed bodies (REMINDER_QUEUE_KEY)")
        if _is_key_arn(self.key_id) and raw["kid"] != self.key_id:  # an alias or bare id: KMS alone can tell
            raise Refused("other_key", f"sealed with {raw['kid']}, not this stack's key")
        try:
            blob, nonce, sealed = (base64.b64decode(raw[f], validate=True) for f in ("dk", "iv", "ct"))
        except (binascii.Error, ValueError) as error:
            raise Refused("malformed", "a field is not base64") from error
        aead = self._key(raw["dk"], blob)
        try:
            return Opened(aead.decrypt(nonce, sealed, AAD).decode("utf-8"))
        except (InvalidTag, ValueError, UnicodeDecodeError) as error:
            raise Refused("tampered", "the ciphertext does not authenticate") from error

    def _key(self, cache_key: str, blob: bytes) -> AESGCM:
        if cache_key in self._keys:
            self._keys.move_to_end(cache_key)
            return self._keys[cache_key]
        try:
            answer = self.kms.decrypt(CiphertextBlob=blob, KeyId=self.key_id, EncryptionContext=CONTEXT)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in REFUSING:
                raise Refused(REFUSING[code], f"KMS refused the data key ({code})") from error
            raise KeyUnavailable(f"KMS {code}") from error
        except BotoCoreError as error:
            raise KeyUnavailable(f"KMS {type(error).__name__}") from error
        aead = AESGCM(answer["Plaintext"])
        self._keys[cache_key] = aead
        while len(self._keys) > CACHED_KEYS:
            self._keys.popitem(last=False)
        return aead
