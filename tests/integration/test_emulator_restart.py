"""Two emulators in one process, one after the other (two test modules on one pytest worker, or the demo after
the portal's browser tests): the second starts from an empty account, so provisioning the same stack again
finds no bucket, table or queue of the first."""

from __future__ import annotations

import boto3

from lindungi_dev.emulator.server import Emulator


def test_a_second_emulator_in_the_same_process_starts_from_an_empty_account() -> None:
    first = Emulator()
    try:
        bucket = first.stack.physical("UploadBucket")
        s3 = boto3.client("s3", endpoint_url=first.endpoint, region_name=first.stack.region)
        s3.put_object(Bucket=bucket, Key="incoming/left-behind.csv", Body=b"x")
    finally:
        first.stop()
    second = Emulator()  # provisions the same stack name: BucketAlreadyOwnedByYou if moto kept the first
    try:
        s3 = boto3.client("s3", endpoint_url=second.endpoint, region_name=second.stack.region)
        assert s3.list_objects_v2(Bucket=second.stack.physical("UploadBucket")).get("KeyCount") == 0
    finally:
        second.stop()
