"""The emulator's function URLs and Cognito: an HTTP request becomes the event Lambda gives a function URL
(Powertools' ``LambdaFunctionUrlEvent`` reads it), the answer the HTTP response (an echo function added to
the template for this); the template's user pool, client and groups exist in moto as declared; a browser's
presigned POST to the bucket reaches the ingest function."""

from __future__ import annotations

import base64
import http.client
import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes import LambdaFunctionUrlEvent
from moto import mock_aws

from lindungi_dev.emulator import cognito
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.provision import provision
from lindungi_dev.emulator.template import REGION, load_template
from lindungi_dev.emulator.urls import FunctionUrl, http_response, url_event

ECHO = '''
import json
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response

app = LambdaFunctionUrlResolver()


@app.route("/echo", method=["GET", "POST"])
def echo():
    event = app.current_event
    return Response(200, "application/json", json.dumps({
        "method": event.request_context.http.method, "path": event.path, "raw_query": event.raw_query_string,
        "query": event.query_string_parameters, "cookies": event.cookies, "body": event.decoded_body,
        "base64": event.is_base64_encoded, "source_ip": event.request_context.http.source_ip,
        "agent": event.headers.get("user-agent"), "proto": event.headers.get("x-forwarded-proto"),
    }), cookies=["a=1; HttpOnly; Secure; SameSite=Strict", "b=2; Path=/"])


@app.get("/bytes")
def raw_bytes():
    return Response(200, "application/octet-stream", bytes(range(256)))


@app.get("/crash")
def crash():
    raise RuntimeError("boom")


def handler(event, context):
    return app.resolve(event, context)
'''

def _with(extra: dict[str, Any]) -> dict[str, Any]:
    template = load_template()
    template["Resources"] = {**template["Resources"], **extra}
    return template


@pytest.fixture
def echo_stack(tmp_path: Path, aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "app.py").write_text(ECHO, encoding="utf-8")
    function = {"EchoFunction": {"Type": "AWS::Serverless::Function", "Properties": {
        "CodeUri": str(tmp_path), "Handler": "app.handler", "FunctionUrlConfig": {"AuthType": "NONE"},
        "Environment": {"Variables": {"POWERTOOLS_SERVICE_NAME": "echo"}}}}}
    monkeypatch.setattr("lindungi_dev.emulator.provision.load_template", lambda: _with(function))
    with mock_aws():
        stack = provision(boto3.Session(region_name=REGION))
        runner = LambdaRunner(stack, boto3.Session(region_name=REGION))
        served = runner.serve_urls()
        try:
            yield stack, served["EchoFunction"]
        finally:
            runner.stop_urls()


def _request(url: FunctionUrl, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", url.port, timeout=30)
    connection.request(method, path, body=body or None, headers=headers or {})
    return connection.getresponse()


REQUESTS = [
    pytest.param("GET", "/echo?nik=1&nik=2&q=", b"", {"Cookie": "session=abc; csrf=x y"},
                 {"method": "GET", "raw_query": "nik=1&nik=2&q=", "query": {"nik": "1,2", "q": ""},
                  "cookies": ["session=abc", "csrf=x y"], "base64": False}, id="query-repeated-and-cookies"),
    pytest.param("POST", "/echo", b"nik=6172&csrf=t%2Bk", {"Content-Type": "application/x-www-form-urlencoded"},
                 {"method": "POST", "body": "nik=6172&csrf=t%2Bk", "base64": True, "cookies": []},
                 id="form-post-arrives-base64"),
    pytest.param("POST", "/echo", b'{"a": "\xc3\xa9"}', {"Content-Type": "application/json; charset=utf-8"},
                 {"body": '{"a": "\u00e9"}', "base64": False}, id="json-arrives-as-text"),
]


@pytest.mark.parametrize(("method", "path", "body", "headers", "expected"), REQUESTS)
def test_a_request_reaches_the_function_as_its_url_event(echo_stack: Any, method: str, path: str, body: bytes,
                                                         headers: dict[str, str], expected: dict[str, Any]) -> None:
    _, url = echo_stack
    response = _request(url, method, path, body, {**headers, "User-Agent": "Chromium"})
    seen = json.loads(response.read())
    assert response.status == 200
    assert {k: seen[k] for k in expected} == expected
    assert seen["path"] == "/echo"
    assert (seen["source_ip"], seen["agent"], seen["proto"]) == ("127.0.0.1", "Chromium", "http")
    assert response.headers.get_all("Set-Cookie") == ["a=1; HttpOnly; Secure; SameSite=Strict", "b=2; Path=/"]


def test_binary_answers_and_errors_come_back_as_lambda_gives_them(echo_stack: Any) -> None:
    _, url = echo_stack
    binary = _request(url, "GET", "/bytes")
    assert (binary.status, binary.read()) == (200, bytes(range(256)))
    missing = _request(url, "GET", "/nowhere")
    assert missing.status == 404
    crashed = _request(url, "GET", "/crash")
    assert crashed.status == 502
    too_big = _request(url, "POST", "/echo", b"x" * (6 * 1024 * 1024 + 1), {"Content-Type": "text/plain"})
    assert too_big.status == 413


def test_the_event_is_what_powertools_reads_as_a_function_url_event() -> None:
    event = url_event("post", "/unggah?program=pekerja-rentan", [("Host", "127.0.0.1:8001"), ("Cookie", "a=1"),
                                                                 ("X-Custom", "1"), ("x-custom", "2")],
                      b"\x00\x01", "10.0.0.9", 8001)
    parsed = LambdaFunctionUrlEvent(event)
    assert parsed.request_context.http.method == "POST"
    assert parsed.path == "/unggah" and parsed.raw_query_string == "program=pekerja-rentan"
    assert parsed.headers["x-custom"] == "1,2" and "cookie" not in parsed.headers
    assert parsed.cookies == ["a=1"]
    assert parsed.is_base64_encoded and base64.b64decode(parsed.body or "") == b"\x00\x01"
    assert parsed.request_context.account_id == "anonymous"
    assert parsed.request_context.domain_name == "127.0.0.1:8001"
    assert http_response({"ok": 1}) == (200, [("Content-Type", "application/json")], b'{"ok": 1}')


def test_the_user_pool_client_and_groups_are_the_templates(echo_stack: Any) -> None:
    stack, _ = echo_stack
    idp = boto3.client("cognito-idp", region_name=REGION)
    (pool_logical, declared), = stack.of_type("AWS::Cognito::UserPool").items()
    (client_logical, client_declared), = stack.of_type("AWS::Cognito::UserPoolClient").items()
    props = declared["Properties"]
    pool_id = stack.physical(pool_logical)
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == stack.resolve(props["UserPoolName"])
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == props["Policies"]["PasswordPolicy"]["MinimumLength"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert any(a["Name"] == "custom:office" for a in pool["SchemaAttributes"])
    mfa = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["SoftwareTokenMfaConfiguration"]["Enabled"] is ("SOFTWARE_TOKEN_MFA" in props["EnabledMfas"])
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=stack.physical(client_logical))
    assert client["UserPoolClient"]["ExplicitAuthFlows"] == client_declared["Properties"]["ExplicitAuthFlows"]
    assert stack.resolve({"Fn::GetAtt": [pool_logical, "ProviderURL"]}).endswith(f"amazonaws.com/{pool_id}")
    declared_groups = {r["Properties"]["GroupName"] for r in stack.of_type("AWS::Cognito::UserPoolGroup").values()}
    assert cognito.groups(stack) == dict.fromkeys(declared_groups, pool_id)


def test_a_staff_account_starts_with_a_first_password_to_change(echo_stack: Any) -> None:
    stack, _ = echo_stack
    idp = boto3.client("cognito-idp", region_name=REGION)
    password = cognito.create_user(boto3.Session(region_name=REGION), stack, "kantor.barat", ["kantor"],
                                   {"custom:office": "kec-barat"})
    client = stack.physical(next(iter(stack.of_type("AWS::Cognito::UserPoolClient"))))
    first = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "kantor.barat", "PASSWORD": password})
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    groups = idp.admin_list_groups_for_user(UserPoolId=cognito.groups(stack)["kantor"], Username="kantor.barat")
    assert [g["GroupName"] for g in groups["Groups"]] == ["kantor"]
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "kantor.barat", "PASSWORD": password + "x"})


@pytest.mark.slow
def test_the_emulator_stops_only_after_the_invocations_s3_started(aws_credentials: None) -> None:
    """An upload S3 notifies of just before the emulator stops: its ingestion finishes first, rather than call a
    queue or table already gone from a thread that outlives the stack."""
    import threading

    import requests

    from lindungi_dev import samples
    from lindungi_dev.emulator.server import Emulator

    failed: list[BaseException | None] = []
    hook = threading.excepthook
    threading.excepthook = lambda args: failed.append(args.exc_value)
    try:
        with Emulator() as emu:
            bucket = emu.stack.physical("UploadBucket")
            emu.s3_notifications("UploadBucket")
            post = emu.client("s3").generate_presigned_post(bucket, "incoming/pekerja-rentan/daftar.xlsx")
            data = samples.write_xlsx(samples.workers(200, "pekerja-rentan", seed=5), "pekerja-rentan")
            assert requests.post(post["url"], data=post["fields"], files={"file": ("daftar.xlsx", data)},
                                 timeout=30).status_code == 204
            assert emu.notifying, "S3 notified, on a thread"
            started = list(emu.notifying)
        for thread in started:
            thread.join(30)  # what a thread still running after the stop would do, it does by now
    finally:
        threading.excepthook = hook
    assert failed == []
    assert not [t for t in threading.enumerate() if t.name == "s3-notification" and t.is_alive()]


@pytest.mark.slow
def test_a_browser_post_to_the_bucket_reaches_the_ingest_function(aws_credentials: None) -> None:
    """On moto's server: a presigned POST (as a browser sends it) stores the list, S3's notification from the
    template's own event invokes ingest, and moto answers ``success_action_redirect`` with a 303 to it."""
    import requests

    from lindungi_dev import samples
    from lindungi_dev.emulator.server import Emulator

    with Emulator() as emu:
        s3 = emu.client("s3")
        bucket = emu.stack.physical("UploadBucket")
        emu.s3_notifications("UploadBucket")
        people, _ = samples.plant_faults(samples.workers(12, "pekerja-rentan", seed=3))
        key = "incoming/pekerja-rentan/Kantor Uji/daftar.xlsx"
        back = "http://127.0.0.1:9/unggah/selesai"
        post = s3.generate_presigned_post(bucket, key, Fields={"success_action_redirect": back},
                                          Conditions=[{"success_action_redirect": back}])
        answer = requests.post(post["url"], data=post["fields"], allow_redirects=False, timeout=30,
                               files={"file": ("daftar.xlsx", samples.write_xlsx(people, "pekerja-rentan"))})
        assert answer.status_code == 303
        assert answer.headers["Location"].startswith(back + "?key=incoming%2Fpekerja-rentan%2FKantor+Uji")
        report = "reports/pekerja-rentan/Kantor Uji/daftar.xlsx.json"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="reports/").get("Contents", [])}
            if report in keys:
                break
            time.sleep(0.2)
        written = json.loads(s3.get_object(Bucket=bucket, Key=report)["Body"].read())
        assert written["summary"]["accepted"] + written["summary"]["rejected"] == written["rows_read"] > 0
