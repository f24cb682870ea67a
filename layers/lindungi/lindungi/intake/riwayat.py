"""An office's uploads, as ingestion records them for the portal's riwayat: one item per list, no scan to read.

A list uploaded under ``incoming/<program>/<office>/`` is recorded in ``WorkersTable`` as
``pk = OFFICE#<office>``, ``sk = UPLOAD#<event time>#<key>`` (``lindungi.workers``) with who uploaded it
(the ``x-amz-meta-uploader`` the portal's presigned POST fixes), the outcome counts and the report's key; the
portal Queries the office's partition, newest first. One ``PutItem`` per file (ingestion's write budget is
per row: this is a fraction of one request per row). The same S3 event delivered twice writes the same item.
A list dropped straight into ``incoming/<program>/`` (the S3 console) has no office and no item.
"""

from __future__ import annotations

from typing import Any

from lindungi.dynamo import serialize
from lindungi.intake import keys
from lindungi.offices import display_name
from lindungi.workers import office_pk, upload_sk

UPLOADER_METADATA = "uploader"
"""S3 user metadata (``x-amz-meta-uploader``): the portal user who uploaded the object."""


def upload_item(key: str, event_time: str, uploader: str | None, program: str | None, report_key: str,
                error: str | None, counts: dict[str, Any], duplicate_of: str | None) -> dict[str, Any] | None:
    """The riwayat item of one upload, or None when the key names no office."""
    office = keys.office_from_key(key)
    if office is None:
        return None
    numbers = {k: int(counts.get(k, 0)) for k in ("rows_read", "accepted", "rejected", "warned", "sms_capable")}
    item: dict[str, Any] = {
        "pk": office_pk(office), "sk": upload_sk(event_time, key), "type": "upload", "office": office,
        "key": key, "file": display_name(key), "program": program or "", "uploaded_at": event_time,
        "uploader": uploader or "", "report_key": report_key, **numbers,
    }
    if error:
        item["error"] = error
    if duplicate_of:
        item["duplicate_of"] = display_name(duplicate_of)
    return item


def record(dynamodb: Any, table: str, item: dict[str, Any]) -> None:
    """One plain ``PutItem``: the same upload recorded twice is the same item."""
    dynamodb.put_item(TableName=table, Item=serialize(item))
