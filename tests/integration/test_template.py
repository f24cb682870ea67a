"""template.yaml against the code: every AWS call a function makes is granted, nothing is granted on "*" without
need, and every function is encrypted, logged, alarmed and retained. Its environment: test_settings.py.

cfn-lint itself runs in `make lint`. What is checked here is what cfn-lint cannot know: the code. The AWS
calls are recorded while the functions really run on moto (``lindungi_dev.grants``): ingestion here, the
whole pipeline (planner and sender too) in tests/e2e/test_pipeline_logs.py. A static scan of the code
could not tell which table a call goes to, and the layer's modules are shared, so it would over-grant.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from lindungi_dev import samples
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import ROOT, Stack, load_template
from lindungi_dev.grants import Call, CallRecorder, grants, missing_grants, policy_documents

TEMPLATE = load_template()
STACK = Stack(TEMPLATE)
FUNCTIONS = sorted(STACK.functions())
RESOURCES = TEMPLATE["Resources"]


def template_env(function: str) -> dict[str, Any]:
    globals_ = TEMPLATE.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    own = RESOURCES[function]["Properties"].get("Environment", {}).get("Variables", {})
    return {**globals_, **own}


# ------------------------------------------------------------------------------- IAM


def _resource_refs(function: str) -> dict[str, str]:
    """Variable -> logical id, for each variable whose value is a !Ref to a resource of the template."""
    refs = {}
    for name, value in template_env(function).items():
        if isinstance(value, dict) and value.get("Ref") in RESOURCES:
            refs[name] = value["Ref"]
    return refs


NOT_IAM = {"AWS::Cognito::UserPoolClient"}
"""Resources a function names but calls without IAM: the portal signs users in through the app client's public
API (InitiateAuth, RespondToAuthChallenge, GlobalSignOut...), which Cognito authorises by the user's tokens."""


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_resource_named_in_the_environment_is_granted(function: str) -> None:
    allowed = grants(STACK, function)
    for variable, logical in _resource_refs(function).items():
        if RESOURCES[logical]["Type"] in NOT_IAM:
            continue
        assert any(p.split("/")[0] == logical for g in allowed for p in g.resources), (
            f"{function} is given {variable} (!Ref {logical}) but no statement grants anything on {logical}"
        )


def test_no_wildcard_resource_or_action_except_sms_to_phone_numbers() -> None:
    """Publish(PhoneNumber=...) and the SNS opt-out list act on no ARN: IAM only accepts "*" there."""
    phone_only = {"sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut", "sns:ListPhoneNumbersOptedOut"}
    for function in FUNCTIONS:
        for grant in grants(STACK, function):
            assert not any("*" in a for a in grant.actions), f"{function}/{grant.sid}: wildcard action"
            if "*" in grant.resources:
                assert set(grant.actions) <= phone_only, f"{function}/{grant.sid}: Resource '*' for {grant.actions}"
    roles = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::IAM::Role"}
    for logical, role in roles.items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                assert statement["Resource"] != "*", f"{logical}: Resource '*'"
    # A key policy's Resource "*" means "this key" (see DataKey); no other resource policy uses "*".
    for logical, resource in RESOURCES.items():
        if resource["Type"] in {"AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"}:
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                assert statement["Effect"] == "Deny" or statement["Resource"] != "*", logical


def _ingest_a_list(aws: Stack, lambdas: LambdaRunner, key: str, data: bytes) -> dict[str, Any]:
    import boto3

    version = boto3.client("s3").put_object(Bucket=aws.physical("UploadBucket"), Key=key, Body=data)["VersionId"]
    return lambdas.notify_s3("UploadBucket", key, version)


def test_ingest_calls_only_what_it_is_granted_and_emits_the_alarmed_dimensions(
    aws: Stack, lambdas: LambdaRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = CallRecorder(aws)
    good = samples.write_csv(samples.workers(30))
    hopeless = b"NIK;Nama\n123;BUDI\n456;SITI\n"  # read, but not one row accepted
    with recorder.recording():
        assert _ingest_a_list(aws, lambdas, "incoming/pekerja-rentan/a.csv", good)["ok"]
        assert _ingest_a_list(aws, lambdas, "incoming/pekerja-rentan/a-again.csv", good)["ok"]  # a replay
        assert _ingest_a_list(aws, lambdas, "incoming/pekerja-sawit/b.csv", hopeless)["ok"]
    actions = {(c.action, c.resource.split("/")[0]) for c in recorder.calls}
    assert {("s3:GetObject", "UploadBucket"), ("s3:PutObject", "UploadBucket"),
            ("dynamodb:BatchWriteItem", "WorkersTable"), ("dynamodb:PutItem", "IdempotencyTable")} <= actions
    assert missing_grants(aws, recorder.calls) == []

    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    dimension_sets = {
        metric["Name"]: sorted(d for dims in directive["Dimensions"] for d in dims)
        for blob in emitted for directive in blob["_aws"]["CloudWatchMetrics"] for metric in directive["Metrics"]
    }
    # A list with no accepted row is the uploading office's to fix (its report), not an operators' alarm; the
    # dashboard's graph of it searches the exact dimension set the ingest function emits.
    assert "FilesWithNoAcceptedRowsAlarm" not in RESOURCES
    dashboard = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    search = re.search(r'SEARCH\(\'\{Lindungi,([^}]*)\} service=\\"ingest\\" '
                       r'MetricName=\\"FilesWithNoAcceptedRows', dashboard)
    assert search, "FilesWithNoAcceptedRows is not on the dashboard"
    assert dimension_sets["FilesWithNoAcceptedRows"] == sorted(d.strip() for d in search[1].split(","))
    assert {b["service"] for b in emitted if "FilesWithNoAcceptedRows" in b} == {"ingest"}


def test_the_grant_check_fails_when_a_grant_is_missing() -> None:
    allowed = Call("IngestFunction", "s3:GetObject", "UploadBucket/incoming/x.xlsx")
    wrong_action = Call("IngestFunction", "dynamodb:DeleteItem", "WorkersTable")
    wrong_prefix = Call("IngestFunction", "s3:PutObject", "UploadBucket/incoming/x.xlsx")  # only under reports/
    other_function = Call("SenderFunction", "s3:GetObject", "UploadBucket/incoming/x.xlsx")
    missing = missing_grants(STACK, {allowed, wrong_action, wrong_prefix, other_function})
    assert set(missing) == {wrong_action, wrong_prefix, other_function}


@pytest.mark.parametrize(("call", "granted"), [
    (Call("PlannerFunction", "dynamodb:UpdateItem", "NoticesTable", frozenset({"RUN#2025-05-24"})), True),
    (Call("PlannerFunction", "dynamodb:UpdateItem", "NoticesTable", frozenset({"NOTICE#x#pekerja-rentan#1"})), True),
    (Call("PlannerFunction", "dynamodb:GetItem", "NoticesTable", frozenset({"NOTICE#x"})), False),  # RUN# only
    (Call("PlannerFunction", "dynamodb:UpdateItem", "NoticesTable", frozenset({"OPTOUT#+62812"})), False),
    (Call("IngestFunction", "dynamodb:UpdateItem", "WorkersTable", frozenset({"LOCK#WORKERS"})), True),
    (Call("IngestFunction", "dynamodb:UpdateItem", "WorkersTable", frozenset({"WORKER#6172"})), False),
    (Call("ReceiptsFunction", "dynamodb:BatchGetItem", "NoticesTable", frozenset({"SMS#1", "NOTICE#2"})), True),
    (Call("ReceiptsFunction", "dynamodb:PutItem", "NoticesTable", frozenset({"UNREACHABLE#+62812"})), True),
    (Call("ReceiptsFunction", "dynamodb:PutItem", "NoticesTable", frozenset({"RUN#2025-05-24"})), False),
])
def test_a_grant_limited_to_some_partition_keys_covers_only_those(call: Call, granted: bool) -> None:
    assert (missing_grants(STACK, {call}) == []) is granted


# ------------------------------------------------------------------------------- hardening


def _of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in RESOURCES.items() if v["Type"] == kind}


def _is_data_key(value: Any) -> bool:
    return value in ({"Fn::GetAtt": ["DataKey", "Arn"]}, {"Fn::GetAtt": "DataKey.Arn"}, {"Ref": "DataKey"})


def test_data_at_rest_is_encrypted_with_the_stacks_key() -> None:
    assert RESOURCES["DataKey"]["Properties"]["EnableKeyRotation"] is True
    for logical, table in _of_type("AWS::DynamoDB::Table").items():
        sse = table["Properties"]["SSESpecification"]
        assert sse["SSEEnabled"] and sse.get("SSEType") == "KMS" and _is_data_key(sse["KMSMasterKeyId"]), logical
        assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], logical
    for logical, queue in _of_type("AWS::SQS::Queue").items():
        assert _is_data_key(queue["Properties"].get("KmsMasterKeyId")), logical
    for logical, topic in _of_type("AWS::SNS::Topic").items():
        assert _is_data_key(topic["Properties"].get("KmsMasterKeyId")), logical
    for logical, group in _of_type("AWS::Logs::LogGroup").items():
        assert _is_data_key(group["Properties"].get("KmsKeyId")), logical
    for logical, bucket in _of_type("AWS::S3::Bucket").items():
        (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", logical
        assert _is_data_key(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]) and rule["BucketKeyEnabled"]


DIRECT_KEY_USE = {"PlannerFunction": ("SealQueuedNotices", ["kms:GenerateDataKey"]),
                  "SenderFunction": ("OpenQueuedNotices", ["kms:Decrypt"])}
"""The only direct use of the key (not through a service): sealing and opening the reminder queue's bodies."""


@pytest.mark.parametrize("function", FUNCTIONS)
def test_functions_touching_encrypted_data_may_use_the_key_only_through_aws_services(function: str) -> None:
    from lindungi.reminders.sealed import CONTEXT

    statements = {s.get("Sid"): s for p in policy_documents(STACK, function) for s in p["Statement"]}
    keyed = [g for g in grants(STACK, function) if "DataKey" in g.resources]
    (grant,) = [g for g in keyed if "kms:ViaService" in statements[g.sid].get("Condition", {}).get("StringEquals", {})]
    assert {"kms:Decrypt", "kms:GenerateDataKey"} <= set(grant.actions)
    assert {"Ref": "DataKeyUsePolicy"} in RESOURCES[function]["Properties"]["Policies"], "one managed policy for all"
    direct = [g for g in keyed if g is not grant]
    assert [(g.sid, list(g.actions)) for g in direct] == ([DIRECT_KEY_USE[function]] if function in DIRECT_KEY_USE
                                                          else [])
    for g in direct:  # only under the reminder queue's encryption context, and no other key in the context
        condition = statements[g.sid]["Condition"]
        assert condition["StringEquals"] == {f"kms:EncryptionContext:{k}": v for k, v in CONTEXT.items()}
        assert condition["ForAllValues:StringEquals"] == {"kms:EncryptionContextKeys": sorted(CONTEXT)}


def test_bucket_is_tls_only_private_and_expires_uploads_and_reports_by_parameter() -> None:
    policy = RESOURCES["UploadBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false" for s in policy)
    props = RESOURCES["UploadBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    rules = {r.get("Prefix"): r for r in props["LifecycleConfiguration"]["Rules"]}
    for prefix, parameter in (("incoming/", "UploadRetentionDays"), ("reports/", "ReportRetentionDays")):
        assert rules[prefix]["ExpirationInDays"] == {"Ref": parameter}
        assert rules[prefix]["NoncurrentVersionExpiration"]["NoncurrentDays"] == {"Ref": parameter}


def _alarms() -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in _of_type("AWS::CloudWatch::Alarm").items()}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_a_retained_log_group_an_error_alarm_and_its_throttles_on_the_dashboard(
    function: str,
) -> None:
    """Throttles need no action of their own (Lambda and Scheduler retry; what they delay fires the queue-age,
    heartbeat and failed-queue alarms): graphed for every function, alarmed for none."""
    groups = [g["Properties"] for g in _of_type("AWS::Logs::LogGroup").values()
              if g["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{function}}}"}]
    assert len(groups) == 1 and groups[0]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    watched = {a.get("MetricName") for a in _alarms().values()
               if a.get("Namespace") == "AWS/Lambda" and {"Name": "FunctionName", "Value": {"Ref": function}}
               in a.get("Dimensions", [])}
    assert "Errors" in watched and "Throttles" not in watched, function
    dashboard = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for metric in ("Errors", "Throttles"):
        assert f'["AWS/Lambda", "{metric}", "FunctionName", "${{{function}}}"]' in dashboard, (function, metric)


ON_CALL, MORNING = {"Ref": "OnCallTopic"}, {"Ref": "OperatorsTopic"}


def test_every_alarm_goes_to_one_of_two_severities_and_every_dead_letter_queue_is_alarmed() -> None:
    for logical, alarm in _alarms().items():
        assert alarm.get("AlarmActions") in ([ON_CALL], [MORNING]), logical
        assert alarm.get("OKActions") == alarm["AlarmActions"], f"{logical}: its return to OK goes where it went"
    dead_letter = {q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
                   for q in _of_type("AWS::SQS::Queue").values() if "RedrivePolicy" in q["Properties"]}
    dead_letter |= {f["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"]
                    ["Fn::GetAtt"][0] for f in _of_type("AWS::Serverless::Function").values()
                    if "DestinationConfig" in f["Properties"].get("EventInvokeConfig", {})}
    # A failure queue a function writes to itself (the receipts kept masked) is a dead-letter queue too.
    dead_letter |= {logical for f in FUNCTIONS for variable, logical in _resource_refs(f).items()
                    if variable.endswith("FAILED_QUEUE_URL")}
    assert "ReceiptsFailedQueue" in dead_letter
    alarmed = {a["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in _alarms().values()
               if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"}
    assert dead_letter and dead_letter <= alarmed


def test_alarms_on_our_metrics_name_metrics_the_functions_emit() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in ROOT.glob("functions/*/app.py"))
    code += (ROOT / "layers/lindungi/lindungi/reminders/sender.py").read_text(encoding="utf-8")
    code += (ROOT / "layers/lindungi/lindungi/ops/pause.py").read_text(encoding="utf-8")  # SmsPaused
    code += (ROOT / "layers/lindungi/lindungi/portal/web.py").read_text(encoding="utf-8")  # PortalRequestsFailed
    for logical, alarm in _alarms().items():
        names = [alarm.get("MetricName")] if alarm.get("Namespace") == "Lindungi" else []
        names += [m["MetricStat"]["Metric"]["MetricName"] for m in alarm.get("Metrics", [])
                  if "MetricStat" in m and m["MetricStat"]["Metric"]["Namespace"] == "Lindungi"]
        names += re.findall(r"SUM\((\w+)\)", " ".join(m.get("Expression", "") for m in alarm.get("Metrics", [])))
        for name in names:
            emitted = f'"{name}"' in code or (name.startswith("Notice") and "METRIC = {" in code)
            assert emitted, f"{logical} watches {name}, which no function emits"


def test_saved_queries_cover_the_operators_questions() -> None:
    names = {q["Properties"]["Name"] for q in _of_type("AWS::Logs::QueryDefinition").values()}
    assert {"Lindungi/Which files failed today and why", "Lindungi/Which notices failed"} <= names
    dashboard = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for metric in ("FilesProcessed", "FilesFailedByError", "RowsRejected", "NoticesPlanned", "NoticeSent",
                   "NoticeOptedOut", "NoticeFailed", "SmsSegments", "SMSMonthToDateSpentUSD"):
        assert metric in dashboard


def test_dashboard_body_is_json_once_substituted() -> None:
    body = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    assert len(widgets) >= 8


def test_the_data_key_is_granted_in_one_managed_policy_only() -> None:
    inline = [s.get("Sid") for f in FUNCTIONS for p in RESOURCES[f]["Properties"].get("Policies", [])
              if isinstance(p, dict) and "Statement" in p for s in p["Statement"]
              if "DataKey" in json.dumps(s.get("Resource"))]
    allowed = sorted(sid for sid, _ in DIRECT_KEY_USE.values())  # the reminder queue's bodies, directly
    assert sorted(inline) == allowed, f"the data key granted inline again: {inline}"
    assert RESOURCES["DataKeyUsePolicy"]["Type"] == "AWS::IAM::ManagedPolicy"


def test_the_sender_may_text_phone_numbers_but_never_publish_to_a_topic() -> None:
    statements = [s for p in policy_documents(STACK, "SenderFunction") for s in p["Statement"]]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Action"] == ["sns:Publish"] and deny["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}
    allow = next(s for s in statements if s["Effect"] == "Allow" and "sns:Publish" in s["Action"])
    assert allow["Resource"] == "*"  # phone numbers have no ARN; the Deny is what keeps topics out


def test_ingestion_has_reserved_concurrency_by_parameter() -> None:
    reserved = RESOURCES["IngestFunction"]["Properties"]["ReservedConcurrentExecutions"]
    assert reserved == {"Fn::If": ["HasIngestConcurrency", {"Ref": "IngestReservedConcurrency"},
                                   {"Ref": "AWS::NoValue"}]}
    assert int(TEMPLATE["Parameters"]["IngestReservedConcurrency"]["Default"]) > 0


def test_every_read_and_write_of_the_upload_bucket_is_in_an_encrypted_validated_trail() -> None:
    trail = RESOURCES["UploadAccessTrail"]["Properties"]
    assert trail["IsLogging"] and trail["EnableLogFileValidation"] and _is_data_key(trail["KMSKeyId"])
    (selector,) = trail["AdvancedEventSelectors"]
    fields = {f["Field"]: f for f in selector["FieldSelectors"]}
    assert fields["eventCategory"]["Equals"] == ["Data"] and fields["resources.type"]["Equals"] == ["AWS::S3::Object"]
    bucket = RESOURCES["UploadBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    assert fields["resources.ARN"]["StartsWith"] == [{"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket}/"}]
    assert "readOnly" not in fields, "reads and writes both"


def test_botocore_retries_are_set_once_for_every_function() -> None:
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert env["AWS_RETRY_MODE"] == "standard" and int(env["AWS_MAX_ATTEMPTS"]) >= 3
    for function in FUNCTIONS:
        own = RESOURCES[function]["Properties"].get("Environment", {}).get("Variables", {})
        assert not {"AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"} & set(own), function


def test_every_security_scan_exception_says_why() -> None:
    """checkov runs in `make lint`; each check skipped on a resource carries its reason (docs/operations.md)."""
    skipped = 0
    for logical, resource in RESOURCES.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (logical, skip)
            assert len(skip.get("comment", "")) > 20, f"{logical}: {skip['id']} skipped without a reason"
            skipped += 1
    assert skipped, "no exception at all: is the Metadata still where checkov reads it?"


def test_traces_carry_no_handler_response_or_error_message() -> None:
    """X-Ray metadata is not masked like the logs: a handler's response (the ingest outcome's S3 key, the sender's
    notice ids) and an exception's message (before ``masked_errors`` sees it) stay out of every trace."""
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert env["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"


# ------------------------------------------------------------------------------- silence and severity


def _watched(alarm: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(namespace, metric, statistic, dimensions) of every metric an alarm reads, plain or in its math."""
    if "MetricName" in alarm:
        return [(alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm.get("Dimensions", []))]
    return [(m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"], m["MetricStat"]["Stat"],
             m["MetricStat"]["Metric"].get("Dimensions", [])) for m in alarm["Metrics"] if "MetricStat" in m]


@pytest.mark.parametrize(("alarm", "namespace", "metric", "statistic", "dimension", "missing", "topic"), [
    # Silence: no invocation means no data point, and that is what fires.
    ("PlannerHeartbeatAlarm", "AWS/Lambda", "Invocations", "Sum", {"Ref": "PlannerFunction"}, "breaching", ON_CALL),
    ("RekapHeartbeatAlarm", "AWS/Lambda", "Invocations", "Sum", {"Ref": "RekapFunction"}, "breaching", MORNING),
    ("ReminderQueueAgeAlarm", "AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum",
     {"Fn::GetAtt": ["ReminderQueue", "QueueName"]}, "notBreaching", ON_CALL),
    ("CeilingReachedAlarm", "Lindungi", "PlannerCeilingReached", "Sum", "planner", "notBreaching", MORNING),
    ("NoticesExpiredAlarm", "Lindungi", "NoticeExpired", "Sum", "sender", "notBreaching", MORNING),
    # The pause publishes 1 then 0; between the two no data comes, and the state must hold.
    ("SmsPausedAlarm", "Lindungi", "SmsPaused", "Maximum", "ops", "ignore", MORNING),
])
def test_silence_alarms_watch_the_metric_with_the_statistic_and_missing_data_they_need(
    alarm: str, namespace: str, metric: str, statistic: str, dimension: Any, missing: str, topic: Any,
) -> None:
    props = _alarms()[alarm]
    ((ns, name, stat, dims),) = _watched(props)
    assert (ns, name, stat) == (namespace, metric, statistic)
    assert [d["Value"] for d in dims] == [dimension]
    assert props["TreatMissingData"] == missing
    assert props["AlarmActions"] == [topic]
    if missing == "breaching":  # a daily heartbeat: fewer than one invocation in the last 24 hours
        assert props["Period"] * props["EvaluationPeriods"] == 86400
        assert (props["ComparisonOperator"], props["Threshold"]) == ("LessThanThreshold", 1)


def test_receipts_missing_compares_receipts_with_the_sms_sent_in_the_same_hours() -> None:
    props = _alarms()["ReceiptsMissingAlarm"]
    watched = {(ns, name, stat, dims[0]["Value"]) for ns, name, stat, dims in _watched(props)}
    assert watched == {("Lindungi", "NoticeSent", "Sum", "sender"), ("Lindungi", "NoticeDelivered", "Sum", "receipts"),
                       ("Lindungi", "NoticeCarrierFailed", "Sum", "receipts")}
    (expression,) = [m for m in props["Metrics"] if m.get("ReturnData")]
    assert {m["MetricStat"]["Period"] for m in props["Metrics"] if "MetricStat" in m} == {10800}
    assert "FILL(sent, 0) >= 10" in expression["Expression"], "a few SMS with late receipts are not silence"
    assert props["ComparisonOperator"] == "LessThanThreshold" and 0 < props["Threshold"] < 1
    assert props["TreatMissingData"] == "notBreaching"  # nothing sent: nothing to miss
    assert props["AlarmActions"] == [ON_CALL]


def test_no_alarm_for_what_needs_no_action_or_is_the_staffs_to_fix() -> None:
    names = set(_alarms())
    assert not {n for n in names if "Throttles" in n}
    assert "FilesWithNoAcceptedRowsAlarm" not in names
    assert "SmsFailedAlarm" not in names, "the same incident as ReminderDLQAlarm, which has the command to clear it"


def test_each_severity_has_its_topic_and_optional_subscriptions_by_parameter() -> None:
    subscriptions = {(s["Properties"]["TopicArn"]["Ref"], s["Properties"]["Protocol"],
                      s["Properties"]["Endpoint"]["Ref"], s["Condition"])
                     for s in _of_type("AWS::SNS::Subscription").values()}
    assert subscriptions == {("OnCallTopic", "email", "OnCallEmail", "HasOnCallEmail"),
                             ("OnCallTopic", "https", "OnCallHttpsEndpoint", "HasOnCallHttpsEndpoint"),
                             ("OperatorsTopic", "email", "OperatorEmail", "HasOperatorEmail")}
    for parameter in ("OnCallEmail", "OnCallHttpsEndpoint", "OperatorEmail"):
        assert TEMPLATE["Parameters"][parameter]["Default"] == ""
    now = {k for k, a in _alarms().items() if a["AlarmActions"] == [ON_CALL]}
    assert {"PlannerHeartbeatAlarm", "ReminderQueueAgeAlarm", "ReceiptsMissingAlarm", "SenderErrorsAlarm"} <= now
    assert len(now) < len(_alarms()) / 2, "almost nothing needs a person at 2 a.m."


def test_the_dashboard_shows_each_severitys_alarms_together() -> None:
    body = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = {w["properties"]["title"]: {re.sub(r"\$\{(\w+)\.Arn\}", r"\1", a) for a in w["properties"]["alarms"]}
               for w in json.loads(re.sub(r"\$\{(?!\w+\.Arn\})[^}]+\}", "x", body))["widgets"]
               if w["type"] == "alarm"}
    assert widgets == {
        "Now: needs a person (OnCallTopic)": {k for k, a in _alarms().items() if a["AlarmActions"] == [ON_CALL]},
        "Next working morning (OperatorsTopic)": {k for k, a in _alarms().items() if a["AlarmActions"] == [MORNING]},
    }


def test_the_receipts_failure_queue_holds_no_lambda_failure_record() -> None:
    """Lambda's OnFailure record keeps the raw payload: every full phone number of the batch."""
    props = RESOURCES["ReceiptsFunction"]["Properties"]
    assert "DestinationConfig" not in props.get("EventInvokeConfig", {})
    assert template_env("ReceiptsFunction")["RECEIPTS_FAILED_QUEUE_URL"] == {"Ref": "ReceiptsFailedQueue"}
    assert any(g.actions == ("sqs:SendMessage",) and g.resources == ("ReceiptsFailedQueue",)
               for g in grants(STACK, "ReceiptsFunction"))


# ------------------------------------------------------------------------------- the runbook

RUNBOOK = ROOT / "docs" / "operations.md"
_ROW = re.compile(r'^\| <a id="(alarm-[a-z0-9-]+)"></a>`(\w+)` \| (.+?) \| (.+?) \| (.+?) \|$', re.MULTILINE)


def _runbook() -> dict[str, tuple[str, str, str, str]]:
    """Alarm logical id -> (anchor, what it means, first command, when to wake someone)."""
    text = RUNBOOK.read_text(encoding="utf-8")
    section = text.split("\n## Alarms\n", 1)[1].split("\n## ", 1)[0]
    return {m[2]: (m[1], m[3], m[4], m[5]) for m in _ROW.finditer(section)}


def test_every_alarm_has_a_runbook_row_and_every_row_an_alarm() -> None:
    rows = _runbook()
    assert set(rows) == set(_alarms())
    for logical, alarm in _alarms().items():
        anchor = rows[logical][0]
        assert anchor == "alarm-" + logical.removesuffix("Alarm").lower()
        assert alarm["AlarmDescription"].rstrip().endswith(f"Runbook: docs/operations.md#{anchor}"), logical
        when = rows[logical][3]
        assert when.startswith("Now" if alarm["AlarmActions"] == [ON_CALL] else "Next working morning"), logical


def test_every_runbook_command_is_one_the_cli_takes() -> None:
    import shlex

    from lindungi.ops.cli import parser

    commands = [c for _, _, first, _ in _runbook().values() for c in re.findall(r"`(python -m lindungi [^`]+)`", first)]
    assert len(commands) >= len(_alarms())
    examples = {"<YYYY-MM-DD>": "2025-05-01", "<NIK>": "6172014509850003", "<USD>": "50",
                "<SmsDeliveryStatusRoleArn>": "arn:aws:iam::123456789012:role/sms-status",
                "<UploadBucketName>": "lindungi-lists-123456789012"}
    for command in commands:
        words = shlex.split(command)[3:]
        for placeholder in {p for w in words for p in re.findall(r"<[^>]+>", w)}:
            assert placeholder in examples, f"{command}: what is {placeholder}?"
        words = [re.sub(r"<[^>]+>", lambda m: examples[m[0]], w) for w in words]
        try:
            parser().parse_args(words)
        except SystemExit:
            pytest.fail(f"the runbook's command does not parse: {command}")
