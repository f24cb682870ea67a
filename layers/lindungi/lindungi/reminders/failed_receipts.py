"""Delivery receipts the receipts function could not record, kept for replay without a phone number in them.

SNS's delivery-status records hold the full destination number. Lambda's own ``OnFailure`` record would keep
the whole invocation payload, numbers and all, in a queue operators read; so the receipts function has no
such destination and, when it cannot record a batch, puts the batch's log events on ``ReceiptsFailedQueue``
itself, each with its number masked (``phone.mask``) and every other NIK or number in it redacted
(``logs.redact``). Nothing the function reads to record a receipt is lost: it finds the notice by the SNS
message id and takes the number to mark unreachable from the notice, never from the record.

``python -m lindungi replay-receipts`` (``lindungi.ops.replay``) turns each message back into the event
CloudWatch Logs would send (``awslogs_event``) and invokes the function with it; recording is idempotent, so
a receipt recorded meanwhile changes nothing.

    {"kind": "lindungi.failed-receipts", "version": 1, "function": "<receipts function>",
     "log_group": "sns/...", "log_stream": "...", "error_type": "ClientError",
     "events": [{"id": "...", "timestamp": 1717..., "message": "{... \\"destination\\": \\"+62812****7890\\" ...}"}]}
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from lindungi import phone
from lindungi.logs import redact

KIND = "lindungi.failed-receipts"
MAX_MESSAGE_BYTES = 200_000
"""Under SQS's 256 KiB per message, with room for the envelope: a large batch is kept as several messages."""


def masked(message: str) -> str:
    """One delivery-status record with its destination masked and any other number or NIK redacted."""
    try:
        record = json.loads(message)
    except ValueError:
        return redact(message)
    delivery = record.get("delivery") if isinstance(record, dict) else None
    if isinstance(delivery, dict) and delivery.get("destination"):
        delivery["destination"] = phone.mask(str(delivery["destination"]))
    return redact(json.dumps(record, separators=(",", ":")))


def failure_messages(function: str, log_group: str, log_stream: str, events: Sequence[Mapping[str, Any]],
                     error_type: str) -> Iterator[str]:
    """The ``ReceiptsFailedQueue`` message bodies for a batch not recorded, each under ``MAX_MESSAGE_BYTES``."""
    head = {"kind": KIND, "version": 1, "function": function, "log_group": log_group, "log_stream": log_stream,
            "error_type": error_type}
    chunk: list[dict[str, Any]] = []
    size = len(json.dumps(head))
    for event in events:
        kept = {"id": str(event.get("id", "")), "timestamp": int(event.get("timestamp", 0)),
                "message": masked(str(event.get("message", "")))}
        grows = len(json.dumps(kept)) + 2
        if chunk and size + grows > MAX_MESSAGE_BYTES:
            yield json.dumps(head | {"events": chunk})
            chunk, size = [], len(json.dumps(head))
        chunk.append(kept)
        size += grows
    if chunk:
        yield json.dumps(head | {"events": chunk})


def is_failure_message(body: Mapping[str, Any]) -> bool:
    return body.get("kind") == KIND and isinstance(body.get("events"), list)


def awslogs_event(body: Mapping[str, Any], account: str = "") -> dict[str, Any]:
    """The CloudWatch Logs subscription event that replays a kept batch (gzip'ed, base64-encoded JSON)."""
    data = {"messageType": "DATA_MESSAGE", "owner": account, "logGroup": body["log_group"],
            "logStream": body["log_stream"], "subscriptionFilters": ["replay-receipts"],
            "logEvents": [dict(e) for e in body["events"]]}
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(data).encode())).decode()}}
