"""An office's uploads, without the portal touching the bytes: the presigned POST, and what became of it.

The browser posts the file straight to S3 with a presigned POST whose policy the portal signs for one
office, one program and one moment (``upload_form``):

- the key starts with ``incoming/<program>/<office>/<stamp>-`` (the browser's file name follows, ``${filename}``):
  no other office's folder, no other program's; the stamp keeps two uploads of one name apart, so each gets
  its own report and the same bytes sent again get the first upload's results under their own name (intake
  copies them, ``intake.publish.copy_report``);
- ``content-length-range`` from 1 byte to the stack's ``MaxFileMB`` (ingestion's own limit);
- ``x-amz-server-side-encryption`` = ``aws:kms`` with the stack's key, as the bucket encrypts;
- ``x-amz-meta-uploader`` = the signed-in user (the riwayat says who);
- ``success_action_redirect``: S3 sends the browser back to the portal's ``/unggah/selesai``, which shows the
  report once ingestion has written it.

moto does not enforce a POST policy, so the policy document itself is what the tests hold; the one check that
needs a real account is in docs/operations.md (post-deploy checks).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from lindungi import dynamo
from lindungi.intake import keys, publish
from lindungi.intake.riwayat import UPLOADER_METADATA
from lindungi.offices import display_name, stamp
from lindungi.portal.roles import Staff
from lindungi.workers import UPLOAD_PREFIX, office_pk

FORM_SECONDS = 3600
"""How long an upload form may be used (the policy's expiry)."""
RIWAYAT_ITEMS = 50
"""Uploads shown in a riwayat page: one Query page."""


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]
    """Hidden fields, in order; the file input (``file``) must come last."""

    def policy(self) -> dict[str, Any]:
        """The signed policy document (base64 JSON in the ``policy`` field), as S3 will enforce it."""
        policy: dict[str, Any] = json.loads(base64.b64decode(self.fields["policy"]))
        return policy


def upload_form(s3: Any, bucket: str, staff: Staff, program: str, *, data_key_arn: str, max_bytes: int,
                redirect: str, now: datetime | None = None) -> UploadForm:
    """The presigned POST of one office's upload of one program's list (see the module docstring)."""
    if staff.office is None or not staff.uploads:
        raise ValueError("only an office uploads")
    prefix = keys.office_prefix(keys.INCOMING, program, staff.office) + stamp(now or datetime.now(UTC)) + "-"
    fields = {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": data_key_arn,
        f"x-amz-meta-{UPLOADER_METADATA}": staff.username,
        "success_action_redirect": redirect,
    }
    conditions: list[Any] = [
        ["starts-with", "$key", prefix],
        ["content-length-range", 1, max_bytes],
        *({name: value} for name, value in fields.items()),
    ]
    post = s3.generate_presigned_post(Bucket=bucket, Key=prefix + "${filename}", Fields=fields,
                                      Conditions=conditions, ExpiresIn=FORM_SECONDS)
    return UploadForm(post["url"], dict(post["fields"]))


@dataclass(frozen=True)
class Progress:
    """What became of an upload: still being read, or its report's keys."""

    key: str
    uploader: str | None
    page_key: str
    ready: bool
    fix_key: str | None = None


def progress(s3: Any, bucket: str, key: str) -> Progress | None:
    """The upload ``key``'s state: None when there is no such upload; ready when its report page is there and
    newer than the upload (two ``HeadObject``)."""
    try:
        upload = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if _missing(error):
            return None
        raise
    page = publish.page_key(key)
    uploader = (upload.get("Metadata") or {}).get(UPLOADER_METADATA)
    try:
        report = s3.head_object(Bucket=bucket, Key=page)
    except ClientError as error:
        if _missing(error):
            return Progress(key, uploader, page, ready=False)
        raise
    ready = report["LastModified"] >= upload["LastModified"]
    return Progress(key, uploader, page, ready=ready, fix_key=publish.report_keys(key)[1])


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound")


def riwayat(dynamodb: Any, table: str, office: str) -> list[dict[str, Any]]:
    """The office's latest uploads, newest first: one ``Query`` of its partition, no scan."""
    page = dynamodb.query(
        TableName=table, KeyConditionExpression="pk = :pk AND begins_with(sk, :upload)",
        ExpressionAttributeValues=dynamo.serialize({":pk": office_pk(office), ":upload": UPLOAD_PREFIX}),
        ScanIndexForward=False, Limit=RIWAYAT_ITEMS)
    return [dynamo.deserialize(item) for item in page.get("Items", [])]


def presigned_get(s3: Any, bucket: str, key: str, seconds: int = 300) -> str:
    """A short-lived link to a report object (the fix-up workbook, the rekap workbook), downloaded as a file."""
    name = display_name(key)
    url: str = s3.generate_presigned_url(
        "get_object", ExpiresIn=seconds,
        Params={"Bucket": bucket, "Key": key, "ResponseContentDisposition": _attachment(name)})
    return url


def _attachment(name: str) -> str:
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
