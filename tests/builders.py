"""What tests build and share: lists as offices make them, S3 upload events, the rekap's scenario, the reminder
pieces wired to moto, the end-to-end run. A test imports shared builders from here and takes fixtures from the
conftests, never from another test module (tests/unit/test_test_imports.py holds that).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import xlsxwriter
from botocore.exceptions import ClientError

from lindungi.config import programs
from lindungi.dynamo import deserialize, serialize
from lindungi.intake.ingest import Ingestor, failed_file_config, idempotency_config
from lindungi.intake.store import write_items
from lindungi.reminders.notices import notice_pk
from lindungi.reminders.planner import Planner, PlanReport, run_time
from lindungi.reminders.sealed import Opener, Sealer
from lindungi.reminders.sender import Delivery, RetryLater, Sender
from lindungi.settings import PlannerSettings, SenderSettings
from lindungi_dev.emulator.lambdas import Context
from lindungi_dev.emulator.template import ACCOUNT, REGION, ROOT, Stack
from lindungi_dev.samples import coverages

# ------------------------------------------------------------------------------------ lists as offices make them
SITI = "6172014509850003"  # woman, born 05-09-1985, Singkawang Barat
BUDI = "6172051203900007"  # man, born 12-03-1990, Singkawang Selatan
TODAY = date(2025, 6, 1)
HEADER = ["No", "NIK", "Nama Lengkap", "No. HP", "Tanggal Lahir", "L/P", "TMT"]

PdfLine = list[tuple[float, str]]
"""One printed line of a hand-made PDF: (x in mm, text) of each piece."""


def pdf_lines(pages: list[list[PdfLine]], *, size: float = 9.0, line_mm: float = 5.0,
              ruled: tuple[list[float], int] | None = None) -> bytes:
    """A PDF with each piece of text at its x, a line every ``line_mm`` from the top, pages as given.

    ``ruled`` = (column edges in mm, how many lines from the top): those lines are drawn as a bordered
    table, a rule between every two lines and at each edge; the lines below it are printed without rules.
    """
    from fpdf import FPDF  # a dev dependency: only the tests that make PDFs import it

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=size)
    for lines in pages:
        pdf.add_page()
        top = 15.0
        for n, pieces in enumerate(lines):
            for x, text in pieces:
                pdf.text(x, top + n * line_mm + line_mm * 0.7, text)
        if ruled is not None:
            edges, count = ruled
            for n in range(count + 1):
                pdf.line(edges[0], top + n * line_mm - 0.8, edges[-1], top + n * line_mm - 0.8)
            for x in edges:
                pdf.line(x, top - 0.8, x, top + count * line_mm - 0.8)
    return bytes(pdf.output())


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook whose cells keep their Python types: str as text, float as a number cell, date as a date."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, float | int):
                    sheet.write_number(r, c, value)
                elif value is not None:
                    sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------------- uploads
EVENTS = ROOT / "events"


def ingest_event(stack: Stack, key: str, version: str | None, size: int) -> dict[str, Any]:
    """The S3 put event AWS sends the ingest function for ``key`` (events/ingest-s3-put-encoded-key.json)."""
    event = json.loads((EVENTS / "ingest-s3-put-encoded-key.json").read_text())
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = stack.physical("UploadBucket")
    record["s3"]["object"].update({"key": quote_plus(key, safe="/"), "versionId": version, "size": size})
    return event


def upload(stack: Stack, key: str, data: bytes) -> str:
    """Put ``data`` in the stack's upload bucket; returns the version id the event carries."""
    return boto3.client("s3").put_object(Bucket=stack.physical("UploadBucket"), Key=key, Body=data)["VersionId"]


# ------------------------------------------------------------------------------------------ the rekap's scenario
REKAP_DAY = date(2025, 7, 1)
SCRIPT_NAME = "<script>document.title='DIRETAS'</script>"
# Valid NIKs of Kota Singkawang (6172), one per worker of the scenario.
A, B, C, D, E, F, G = (f"617201{d:02d}0190{n:04d}" for n, d in zip(range(1, 8), range(11, 18), strict=True))
FAILED_PHONE = "+6281200000006"


def cover(nik: str, program: str, start: str, end: str, key: str, *, kec: str = "Singkawang Barat",
          kel: str = "Melayu", phone: str | None = "+6281200000001", name: str = "SITI",
          listed_at: str = "2025-01-05T02:00:00+00:00") -> dict[str, Any]:
    return coverages.coverage(nik, program=program, start=date.fromisoformat(start), end=date.fromisoformat(end),
                              phone=phone, name=name, key=key, listed_at=listed_at, bucket="b",
                              kecamatan=kec, kelurahan=kel)


SCENARIO = [
    # A: ended in May, renewed from the branch's list of BPU self-payers.
    cover(A, "pekerja-rentan", "2025-01-01", "2025-05-31", "Kec Barat.xlsx"),
    cover(A, "pekerja-rentan", "2025-06-01", "2025-10-31", "BPU mandiri.xlsx", listed_at="2025-06-02T02:00:00+00:00"),
    # B: ended, not renewed.
    cover(B, "pekerja-rentan", "2025-01-01", "2025-05-31", "Kec Barat.xlsx", kec="Singkawang Timur", kel="Bagak"),
    # C: listed by two kecamatan offices with overlapping covers: maybe paid twice.
    cover(C, "pekerja-rentan", "2025-03-01", "2025-07-31", "Kec Barat.xlsx"),
    cover(C, "pekerja-rentan", "2025-04-01", "2025-08-31", "Kec Timur.xlsx", kec="Singkawang Timur", kel="Bagak",
          listed_at="2025-04-02T02:00:00+00:00"),
    # D: in both programs; the rentan cover ended yesterday and was not renewed.
    cover(D, "pekerja-rentan", "2025-02-01", "2025-06-30", "Kec Barat.xlsx"),
    cover(D, "pekerja-sawit", "2025-01-01", "2025-12-31", "Sawit.pdf"),
    # E: covered, no phone.
    cover(E, "pekerja-sawit", "2025-01-01", "2025-12-31", "Sawit.pdf", phone=None),
    # F: covered, the number failed for good.
    cover(F, "pekerja-rentan", "2025-06-01", "2025-10-31", "Kec Barat.xlsx", phone=FAILED_PHONE),
    # G: a hostile name and place, in both programs (so the page names the worker).
    cover(G, "pekerja-rentan", "2025-06-01", "2025-10-31", "Kec Barat.xlsx", name=SCRIPT_NAME, kec="<b>Kec</b>"),
    cover(G, "pekerja-sawit", "2025-06-01", "2026-05-31", "Sawit.pdf", name=SCRIPT_NAME, kec="<b>Kec</b>"),
]


# --------------------------------------------------------------------------------------------- reminders on moto
PROGRAM = "pekerja-rentan"
START = date(2025, 1, 1)
END = date(2025, 5, 31)
PHONE = "+6281234567890"


def coverage(nik: str = "6172014509850003", *, end: date = END, start: date = START, phone: str | None = PHONE,
             sms_capable: bool = True, listed_at: str = "2025-01-05T03:00:00+00:00", name: str = "SITI AMINAH",
             program: str = PROGRAM) -> dict[str, Any]:
    return coverages.coverage(nik, program=program, start=start, end=end, phone=phone, sms_capable=sms_capable,
                              name=name, listed_at=listed_at)


def niks(n: int) -> list[str]:
    return [f"61720145098{i:05d}"[:12] + f"{i + 1:04d}" for i in range(n)]


class Env:
    """The reminder pieces wired to the moto stack."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.dynamodb: Any = boto3.client("dynamodb", region_name=REGION)
        self.sqs: Any = boto3.client("sqs", region_name=REGION)
        self.sns: Any = boto3.client("sns", region_name=REGION)
        self.workers = stack.physical("WorkersTable")
        self.notices_table = stack.physical("NoticesTable")
        self.queue = stack.physical("ReminderQueue")
        self.dlq = stack.physical("ReminderDLQ")
        self.kms: Any = boto3.client("kms", region_name=REGION)
        self.key = stack.arn("DataKey")

    def seal(self, notice_id: str) -> str:
        """A queue body for ``notice_id`` as the planner seals it (a data key of its own)."""
        return Sealer(self.kms, self.key).seal(notice_id)

    def open(self, body: str) -> str:
        """The notice id a queue body carries, opened as the sender opens it."""
        return Opener(self.kms, self.key).open(body).notice_id

    def put(self, *items: dict[str, Any]) -> None:
        write_items(self.dynamodb, self.workers, items)

    def planner(self, **overrides: Any) -> Planner:
        """A planner with clients of its own, so faults injected into it stay in it."""
        settings = PlannerSettings(**{**PlannerSettings.from_env().__dict__, **overrides})
        return Planner(boto3.client("dynamodb", region_name=REGION), boto3.client("sqs", region_name=REGION),
                       boto3.client("kms", region_name=REGION), settings, programs())

    def sender(self, **overrides: Any) -> Sender:
        settings = SenderSettings(**{**SenderSettings.from_env().__dict__, **overrides})
        return Sender(boto3.client("dynamodb", region_name=REGION), boto3.client("sns", region_name=REGION),
                      boto3.client("sqs", region_name=REGION), boto3.client("kms", region_name=REGION), settings,
                      programs())

    def plan(self, day: date, hour: int = 9, *, send: bool = True, **overrides: Any) -> PlanReport:
        """A planner run at ``hour``:00 WIB on ``day``; then (``send``) the sender acts on what it queued, as the
        queue's consumer would within minutes (which takes each notice out of the outbox)."""
        now = run_time(day, programs(), hour)
        report = self.planner(**overrides).run(now)
        if send:
            sender = self.sender()
            for ident in report.notice_ids:
                with contextlib.suppress(RetryLater):
                    sender.handle(Delivery(ident), now)
        return report

    def receive(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10,
                                                AttributeNames=["All"]).get("Messages", []):
            out += batch
        return out

    def queued_ids(self) -> list[str]:
        return [self.open(m["Body"]) for m in self.receive()]

    def notice(self, ident: str) -> dict[str, Any]:
        item = self.dynamodb.get_item(TableName=self.notices_table, Key=serialize({"pk": notice_pk(ident)}))
        return deserialize(item["Item"])

    def notices(self) -> list[dict[str, Any]]:
        items = self.dynamodb.scan(TableName=self.notices_table)["Items"]  # tests only: the code never scans
        return [deserialize(i) for i in items if i["pk"]["S"].startswith("NOTICE#")]

    def remind_key(self, item: dict[str, Any]) -> str | None:
        got = self.dynamodb.get_item(TableName=self.workers, Key=serialize({"pk": item["pk"], "sk": item["sk"]}))
        return deserialize(got["Item"]).get("remind_key")

    @staticmethod
    def sns_opt_out(e164: str) -> None:
        """Put a number on the account's SNS opt-out list (moto keeps it in its backend)."""
        from moto.sns.models import sns_backends

        sns_backends[ACCOUNT][REGION].opt_out_numbers.append(e164)

    @staticmethod
    def sms() -> list[tuple[str, str]]:
        from moto.sns.models import sns_backends

        return list(sns_backends[ACCOUNT][REGION].sms_messages.values())


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=programs().timezone)


def fail_on(client: Any, event: str, error: str = "Throttling",
            when: Callable[[dict[str, Any]], bool] = lambda params: True) -> list[dict[str, Any]]:
    """Make ``client`` raise ``error`` on ``event`` (e.g. "before-call.sns.Publish"); returns the calls seen."""
    calls: list[dict[str, Any]] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)
        if when(params):
            raise ClientError({"Error": {"Code": error, "Message": "injected"}}, event.rsplit(".", 1)[-1])

    client.meta.events.register(f"before-parameter-build.{event.split('.', 1)[1]}", hook)
    return calls


def count_calls(client: Any, operation: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    client.meta.events.register(f"before-parameter-build.{operation}", lambda params, **_: calls.append(params))
    return calls


# -------------------------------------------------------------------------------------------- the end-to-end run
RENTAN, SAWIT = 400, 80  # enough rows for the planted faults; the reminder days dominate the run time
MAX_SMS_PER_RUN = round(3000 * (RENTAN + SAWIT) / 8504)  # the template's ceiling, scaled to the sample


@contextlib.contextmanager
def process_output(path: Path) -> Iterator[None]:
    """Everything this process writes in the block, appended to ``path``, as Lambda would send it to CloudWatch.

    Both ways out are caught: Python's ``sys.stdout``/``sys.stderr`` (which pytest replaces with its own
    capture, so a test's ``capfd`` never sees a session fixture's output) and file descriptors 1 and 2
    themselves (C code, child processes). Log records of any logger at WARNING and above (Lambda's own root
    handler and level) and warnings go there too. What the demo sends elsewhere on purpose (the functions'
    stdout, into logs.jsonl) is not here: the tests read that file as well.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    root = logging.getLogger()
    with path.open("ab", buffering=0) as raw, path.open("a", encoding="utf-8", errors="backslashreplace",
                                                          buffering=1) as text:
        handler = logging.StreamHandler(text)
        handler.setLevel(logging.WARNING)
        os.dup2(raw.fileno(), 1)
        os.dup2(raw.fileno(), 2)
        root.addHandler(handler)
        try:
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(text), \
                    contextlib.redirect_stderr(text):
                yield
            for warning in caught:
                text.write(warnings.formatwarning(warning.message, warning.category, warning.filename,
                                                  warning.lineno, warning.line))
        finally:
            root.removeHandler(handler)
            text.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


# ------------------------------------------------------------------------------------------------ the staff portal
PORTAL_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-southeast-3.on.aws"


def portal_event(method: str, path: str, *, cookies: dict[str, str] | None = None,
                 form: dict[str, str] | None = None, query: str = "") -> dict[str, Any]:
    """A function-URL request (payload 2.0) as Lambda delivers it (events/portal-get.json)."""
    event = json.loads((EVENTS / "portal-get.json").read_text())
    event["rawPath"], event["rawQueryString"] = path, query
    event["requestContext"]["http"].update({"method": method, "path": path})
    event["requestContext"]["domainName"] = event["headers"]["host"] = PORTAL_HOST
    if query:
        from urllib.parse import parse_qs

        event["queryStringParameters"] = {k: ",".join(v) for k, v in parse_qs(query).items()}
    else:
        event.pop("queryStringParameters", None)
    event["cookies"] = [f"{k}={v}" for k, v in (cookies or {}).items()] or None
    if event["cookies"] is None:
        event.pop("cookies")
    if form is not None:
        from urllib.parse import urlencode

        event["headers"]["content-type"] = "application/x-www-form-urlencoded"
        event["body"], event["isBase64Encoded"] = urlencode(form), False
    return event


class Browser:
    """A cookie jar in front of the portal's ``resolve``: what a browser keeps and sends, redirects not followed."""

    def __init__(self, portal: Any) -> None:
        self.portal = portal
        self.jar: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> dict[str, Any]:
        from lindungi.portal.web import resolve

        path, _, query = path.partition("?")
        response = resolve(portal_event(method, path, cookies=self.jar, form=form, query=query), None, self.portal)
        for raw in response.get("cookies", []):
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in raw:
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return response

    def get(self, path: str) -> dict[str, Any]:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        return self.request("POST", path, form)

    def form_value(self, page: dict[str, Any], name: str) -> str:
        """The value of the hidden field ``name`` in the page's first form that has it."""
        import re

        found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page["body"])
        assert found, f"no field {name}"
        from html import unescape

        return unescape(found[1])


def visible_text(page: str) -> str:
    """What a person reads on an HTML page: its text, without tags, attributes (links, hidden fields), style or
    script, whitespace collapsed."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.hidden += tag in ("style", "script", "title")

        def handle_endtag(self, tag: str) -> None:
            self.hidden -= tag in ("style", "script", "title")

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.parts.append(data)

    parser = Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def staff_pool(cognito: Any) -> tuple[str, str]:
    """The template's user pool, app client and groups in moto: (pool id, client id)."""
    from lindungi_dev.emulator.template import load_template

    resources = load_template()["Resources"]
    pool = resources["UserPool"]["Properties"]
    pool_id = cognito.create_user_pool(
        PoolName="staff", Policies=pool["Policies"], MfaConfiguration=pool["MfaConfiguration"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Schema=pool["Schema"])["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True},
                                     MfaConfiguration=pool["MfaConfiguration"])
    client = resources["UserPoolClient"]["Properties"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="portal", ExplicitAuthFlows=client["ExplicitAuthFlows"],
        ReadAttributes=client["ReadAttributes"], WriteAttributes=client["WriteAttributes"],
    )["UserPoolClient"]["ClientId"]
    for group in ("OfficeGroup", "CityGroup", "BranchGroup", "OperatorGroup"):
        cognito.create_group(UserPoolId=pool_id, GroupName=resources[group]["Properties"]["GroupName"])
    return pool_id, client_id


def staff_user(cognito: Any, pool_id: str, username: str, password: str, group: str | None,
               office: str | None = None, *, first_password: bool = False) -> None:
    """A user as an administrator creates one; ``first_password``: still to be changed at first sign-in."""
    attributes = [{"Name": "custom:office", "Value": office}] if office else []
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=password,
                              UserAttributes=attributes, MessageAction="SUPPRESS")
    if not first_password:
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    if group:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def moto_jwks() -> dict[str, Any]:
    """The keys moto signs every Cognito token with (what it serves at /<pool id>/.well-known/jwks.json)."""
    import gzip

    import moto.cognitoidp

    path = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-public.json.gz"
    found: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return found


def ingestor_on(aws: Stack, expires_after_days: int = 1) -> Ingestor:
    """Ingestion's use case on the stack's bucket and tables, its two idempotency configurations given an
    invocation's context as the handler gives them (how long an unfinished run's lock lasts)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    config, failures = idempotency_config(expires_after_days=expires_after_days), failed_file_config()
    for each in (config, failures):
        each.register_lambda_context(Context("ingest", 1024, 900, "arn:aws:lambda:::function:ingest"))
    return Ingestor(
        s3=boto3.client("s3", region_name=REGION), dynamodb=boto3.client("dynamodb", region_name=REGION),
        table=aws.physical("WorkersTable"),
        persistence=DynamoDBPersistenceLayer(table_name=aws.physical("IdempotencyTable")),
        idempotency=config, failures=failures,
    )
