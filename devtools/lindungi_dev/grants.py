"""Least privilege, checked: the AWS calls a function really makes against the IAM grants template.yaml gives it.

``CallRecorder`` wraps botocore's ``BaseClient._make_api_call`` while the template's functions run in-process on
moto, and notes each call as (function, IAM action, resource). The function is the one ``LambdaRunner``
is invoking (it sets ``AWS_LAMBDA_FUNCTION_NAME``); calls made outside an invocation (a test's own
setup) are ignored. ``missing_grants`` then says which of them no ``Allow`` statement of that function's
``Policies`` covers. Resources are compared by logical id (and S3 key or index), so the check reads the
template as CloudFormation would resolve it. A statement limited to some partition keys
(``ForAllValues:StringLike`` ``dynamodb:LeadingKeys``) covers a call only if every partition key the call
names (an item's, a batch's) matches one of them, as IAM decides it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

from .emulator.template import Stack

# boto3 operation -> IAM action, for what Powertools and our code call. Operations missing here fail loudly.
ACTIONS = {
    "GetItem": "dynamodb:GetItem", "PutItem": "dynamodb:PutItem", "UpdateItem": "dynamodb:UpdateItem",
    "DeleteItem": "dynamodb:DeleteItem", "Query": "dynamodb:Query", "Scan": "dynamodb:Scan",
    "BatchWriteItem": "dynamodb:BatchWriteItem", "BatchGetItem": "dynamodb:BatchGetItem",
    "GetObject": "s3:GetObject", "PutObject": "s3:PutObject", "HeadObject": "s3:GetObject",
    "ListObjectsV2": "s3:ListBucket",
    "SendMessage": "sqs:SendMessage", "SendMessageBatch": "sqs:SendMessage",
    "ChangeMessageVisibility": "sqs:ChangeMessageVisibility", "DeleteMessage": "sqs:DeleteMessage",
    "ReceiveMessage": "sqs:ReceiveMessage", "GetQueueAttributes": "sqs:GetQueueAttributes",
    "Publish": "sns:Publish", "CheckIfPhoneNumberIsOptedOut": "sns:CheckIfPhoneNumberIsOptedOut",
    "ListPhoneNumbersOptedOut": "sns:ListPhoneNumbersOptedOut",
    "GenerateDataKey": "kms:GenerateDataKey", "Decrypt": "kms:Decrypt",
}
PUBLIC = frozenset({"InitiateAuth", "RespondToAuthChallenge", "GetUser", "AssociateSoftwareToken",
                    "VerifySoftwareToken", "SetUserMFAPreference", "GlobalSignOut", "RevokeToken"})
"""Cognito's user-pool API as the portal calls it: authorised by the user's password, session or tokens, never by
IAM (no grant to check, none to give)."""
# TransactWriteItems is authorised per item, as the underlying single-item action.
TRANSACT = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
            "ConditionCheck": "dynamodb:ConditionCheckItem"}


@dataclass(frozen=True)
class Call:
    function: str
    action: str
    resource: str
    """Logical id, plus "/<key>" for S3 objects or "/index/<name>" for indexes; "*" for phone numbers."""
    keys: frozenset[str] = frozenset()
    """The partition keys a DynamoDB item or batch call names (``dynamodb:LeadingKeys``); empty for others."""


@dataclass
class CallRecorder:
    """Every AWS call the template's functions make while it is registered on a boto3 session."""

    stack: Stack
    calls: set[Call] = field(default_factory=set)

    @contextlib.contextmanager
    def recording(self) -> Iterator[CallRecorder]:
        """Record every client's calls (any session: Powertools' idempotency layer makes its own)."""
        original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private, untyped in the stubs
        recorder = self

        def make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            recorder.note(operation_name, api_params)
            return original(client, operation_name, api_params)

        setattr(BaseClient, "_make_api_call", make_api_call)  # noqa: B010
        try:
            yield self
        finally:
            setattr(BaseClient, "_make_api_call", original)  # noqa: B010

    def note(self, operation: str, params: dict[str, Any]) -> None:
        running = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        prefix = f"{self.stack.name}-"
        if not running.startswith(prefix):
            return
        function = running[len(prefix):]
        if operation in PUBLIC:
            return
        for action, resource, keys in self._resolve(operation, params):
            self.calls.add(Call(function, action, resource, keys))

    def _logical(self, physical: str) -> str:
        for logical, value in self.stack.physical_ids.items():
            if value == physical or value.rsplit("/", 1)[-1] == physical or self.stack.arns.get(logical) == physical:
                return logical
        return f"?{physical}"

    def _keys(self, logical: str, items: list[dict[str, Any]]) -> frozenset[str]:
        """The partition-key values of these (low-level) items or keys of a table."""
        schema = self.stack.resources.get(logical, {}).get("Properties", {}).get("KeySchema", [])
        hashed = next((k["AttributeName"] for k in schema if k["KeyType"] == "HASH"), None)
        return frozenset(str(next(iter(item[hashed].values()))) for item in items if hashed in item)

    def _resolve(self, operation: str, params: dict[str, Any]) -> Iterator[tuple[str, str, frozenset[str]]]:
        if operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                (kind, body), = item.items()
                table = self._logical(body["TableName"])
                yield TRANSACT[kind], table, self._keys(table, [body.get("Key") or body.get("Item") or {}])
            return
        action = ACTIONS.get(operation, f"?{operation}")
        if operation == "BatchGetItem":
            for name, request in params["RequestItems"].items():
                table = self._logical(name)
                yield action, table, self._keys(table, request["Keys"])
        elif operation == "BatchWriteItem":
            for name, requests in params["RequestItems"].items():
                table = self._logical(name)
                items = [r["PutRequest"]["Item"] if "PutRequest" in r else r["DeleteRequest"]["Key"] for r in requests]
                yield action, table, self._keys(table, items)
        elif "TableName" in params:
            table = self._logical(params["TableName"])
            if params.get("IndexName"):
                yield action, f"{table}/index/{params['IndexName']}", frozenset()
            else:
                item = params.get("Key") or params.get("Item")
                yield action, table, self._keys(table, [item]) if item else frozenset()
        elif "QueueUrl" in params:
            yield action, self._logical(params["QueueUrl"]), frozenset()
        elif "Bucket" in params and operation == "ListObjectsV2":  # a bucket action: its ARN has no key
            yield action, self._logical(params["Bucket"]), frozenset()
        elif "Bucket" in params:
            yield action, self._logical(params["Bucket"]) + "/" + params.get("Key", ""), frozenset()
        elif "TopicArn" in params:
            yield action, self._logical(params["TopicArn"]), frozenset()
        elif "KeyId" in params:  # KMS called directly (the reminder queue's sealed bodies)
            yield action, self._logical(params["KeyId"]), frozenset()
        else:  # Publish(PhoneNumber=...), CheckIfPhoneNumberIsOptedOut: no resource ARN exists
            yield action, "*", frozenset()


# ------------------------------------------------------------------------------ the template's side


def _resource_patterns(stack: Stack, resource: Any) -> list[str]:
    """A statement's Resource as logical-id patterns: !GetAtt X.Arn -> "X", "${X.Arn}/index/I" -> "X/index/I"."""
    if isinstance(resource, list):
        return [p for r in resource for p in _resource_patterns(stack, r)]
    if resource == "*":
        return ["*"]
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        target = resource["Fn::GetAtt"]
        logical = target[0] if isinstance(target, list) else target.split(".")[0]
        return [logical]
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        text = resource["Fn::Sub"] if isinstance(resource["Fn::Sub"], str) else resource["Fn::Sub"][0]
        attr = re.fullmatch(r"\$\{(\w+)\.Arn\}(.*)", text)
        if attr:
            return [attr[1] + attr[2]]
        for logical, bucket in stack.of_type("AWS::S3::Bucket").items():
            name = bucket.get("Properties", {}).get("BucketName", {})
            name = name.get("Fn::Sub") if isinstance(name, dict) else None
            if name and f":s3:::{name}" in text:
                return [logical + text.split(f":s3:::{name}", 1)[1]]
        return [f"?{text}"]
    return [f"?{resource}"]


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    sid: str
    leading: tuple[str, ...] = ()
    """The partition keys the statement is limited to (``dynamodb:LeadingKeys`` patterns); empty: any."""

    def covers(self, action: str, resource: str, keys: frozenset[str] = frozenset()) -> bool:
        if not any(fnmatch.fnmatchcase(action, a) for a in self.actions):
            return False
        if self.leading and not all(any(fnmatch.fnmatchcase(k, p) for p in self.leading) for k in keys):
            return False
        return any(pattern == "*" or fnmatch.fnmatchcase(resource, pattern) for pattern in self.resources)


def _leading_keys(statement: dict[str, Any]) -> tuple[str, ...]:
    """A statement's ``dynamodb:LeadingKeys`` patterns (``ForAllValues:StringLike``/``StringEquals``)."""
    condition = statement.get("Condition", {})
    for operator in ("ForAllValues:StringLike", "ForAllValues:StringEquals"):
        patterns = condition.get(operator, {}).get("dynamodb:LeadingKeys")
        if patterns:
            return tuple(patterns if isinstance(patterns, list) else [patterns])
    unknown = [op for op in condition if "dynamodb:LeadingKeys" in condition[op]]
    if unknown:
        raise ValueError(f"{statement.get('Sid')}: LeadingKeys under {unknown}, not modelled here")
    return ()


def policy_documents(stack: Stack, function: str) -> Iterator[dict[str, Any]]:
    """A function's ``Policies``: inline documents, and the template's managed policies it names (``!Ref``)."""
    for policy in stack.resources[function]["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            yield policy
        elif isinstance(policy, dict) and "Ref" in policy:
            managed = stack.resources.get(policy["Ref"], {})
            if managed.get("Type") == "AWS::IAM::ManagedPolicy":
                yield managed["Properties"]["PolicyDocument"]


def grants(stack: Stack, function: str) -> list[Grant]:
    """The Allow statements of a function's ``Policies`` (SAM adds the event sources' own)."""
    found = []
    for policy in policy_documents(stack, function):
        for statement in policy["Statement"]:
            if statement.get("Effect") != "Allow":
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            found.append(Grant(tuple(actions), tuple(_resource_patterns(stack, statement["Resource"])),
                               statement.get("Sid", ""), _leading_keys(statement)))
    return found


def missing_grants(stack: Stack, calls: set[Call]) -> list[Call]:
    """The calls no statement of their function's policies allows."""
    by_function: dict[str, list[Grant]] = {}
    missing = []
    for call in sorted(calls, key=lambda c: (c.function, c.action, c.resource)):
        allowed = by_function.setdefault(call.function, grants(stack, call.function))
        if not any(g.covers(call.action, call.resource, call.keys) for g in allowed):
            missing.append(call)
    return missing
