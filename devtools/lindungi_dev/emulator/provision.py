"""Every bucket, table (keys, indexes, TTL), queue (with its redrive policy), topic and KMS key template.yaml
declares, created through a boto3 session: moto's in-process mock in tests, moto's server for the local
pipeline; then the Cognito user pools, clients and groups (``cognito``) and the triggers' switches
(``switches``)."""

from __future__ import annotations

import json
from typing import Any

import boto3

from . import cognito, switches
from .template import REGION, STACK, Stack, load_template


def _create_queue(sqs: Any, stack: Stack, logical_id: str, props: dict[str, Any]) -> None:
    name = stack.resolve(props.get("QueueName")) or f"{stack.name}-{logical_id}"
    attributes: dict[str, str] = {}
    for key in ("MessageRetentionPeriod", "VisibilityTimeout", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
        if key in props:
            attributes[key] = str(stack.resolve(props[key]))
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(stack.resolve(props["RedrivePolicy"]))
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    stack.physical_ids[logical_id] = url
    stack.arns[logical_id] = f"arn:aws:sqs:{stack.region}:{stack.account}:{name}"


def _create_table(dynamodb: Any, stack: Stack, logical_id: str, props: dict[str, Any]) -> None:
    name = stack.resolve(props.get("TableName")) or f"{stack.name}-{logical_id}"
    args: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = [
            {k: v for k, v in index.items() if k in {"IndexName", "KeySchema", "Projection"}}
            for index in props["GlobalSecondaryIndexes"]
        ]
    dynamodb.create_table(**args)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
        )
    stack.physical_ids[logical_id] = name
    stack.arns[logical_id] = f"arn:aws:dynamodb:{stack.region}:{stack.account}:table/{name}"


def provision(session: boto3.Session, stack_name: str = STACK, parameters: dict[str, str] | None = None) -> Stack:
    """Create every bucket, table, queue and topic of template.yaml through ``session``."""
    stack = Stack(load_template(), name=stack_name, region=session.region_name or REGION,
                  overrides=dict(parameters or {}))
    for name in stack.overrides:
        stack.parameter(name)  # an override must name a declared parameter
    s3: Any = session.client("s3")
    dynamodb: Any = session.client("dynamodb")
    sqs: Any = session.client("sqs")
    sns: Any = session.client("sns")
    kms: Any = session.client("kms")
    for logical_id, resource in stack.of_type("AWS::KMS::Key").items():
        # The key the functions call directly (the reminder queue's sealed bodies); the services' own use of it
        # (SSE of the bucket, tables, queues) is not emulated.
        key = kms.create_key(Description=str(resource.get("Properties", {}).get("Description", logical_id)))
        stack.physical_ids[logical_id] = key["KeyMetadata"]["KeyId"]
        stack.arns[logical_id] = key["KeyMetadata"]["Arn"]
    for logical_id, resource in stack.of_type("AWS::S3::Bucket").items():
        props = resource.get("Properties", {})
        name = stack.resolve(props.get("BucketName")) or f"{stack_name}-{logical_id.lower()}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": stack.region})
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        stack.physical_ids[logical_id] = name
        stack.arns[logical_id] = f"arn:aws:s3:::{name}"
    for logical_id, resource in stack.of_type("AWS::SNS::Topic").items():
        props = resource.get("Properties", {})
        name = stack.resolve(props.get("TopicName")) or f"{stack_name}-{logical_id}"
        arn = sns.create_topic(Name=name)["TopicArn"]
        stack.physical_ids[logical_id] = stack.arns[logical_id] = arn
    queues = stack.of_type("AWS::SQS::Queue")
    # Dead-letter queues first: a redrive policy names its DLQ's ARN.
    for logical_id in sorted(queues, key=lambda q: "RedrivePolicy" in queues[q].get("Properties", {})):
        _create_queue(sqs, stack, logical_id, queues[logical_id].get("Properties", {}))
    for logical_id, resource in stack.of_type("AWS::DynamoDB::Table").items():
        _create_table(dynamodb, stack, logical_id, resource["Properties"])
    cognito.provision(session, stack)
    switches.provision(session, stack)
    return stack
