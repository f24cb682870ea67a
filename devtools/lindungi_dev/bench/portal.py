"""The staff portal: its cold start beside the ingest function's, and the AWS requests of a warm worker lookup
and a warm report view.

    python -m lindungi_dev.bench portal [--runs 5]

Cold start: a fresh process per run starts moto's server and provisions the stack (not counted), then times
the handler's import and its first request: for the portal, a signed-in office clerk's ``GET /`` (the token
verified against the pool's keys, fetched then), for ingest the S3 event of a 20-row list. Both processes have
boto3 and botocore loaded already (moto needs them), which Lambda's runtime does not, so both figures leave out
the same SDK import; ``bench artifacts`` has the handlers' imports from the built artifacts alone. Median of
``runs``. Target: the portal within 1.3x of ingest.

Warm requests: one emulator; the Pasiran office's clerk uploads a list (ingest writes its report); a branch
clerk and the office's clerk sign in through the portal's own pages (new password; for the branch, TOTP set up,
then its code); then, each after one warm-up,
the AWS requests the portal makes (every botocore call, by operation, and the HTTP fetches of the pool's keys,
which PyJWT caches) for a lookup by NIK (``POST /peserta``) and a report view (``GET /laporan/...``), as the
clerk's browser sends them: payload 2.0 events with the session's cookies. Target: a lookup in at most 3 requests.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from .common import print_table, verdict

LOOKUP_TARGET = 3
COLD_TARGET = 1.3
OFFICE = "kel-pasiran"
FUNCTIONS = {"portal": "PortalFunction", "ingest": "IngestFunction"}


# ------------------------------------------------------------------------------- cold start


def child(which: str) -> dict[str, float]:
    """In a fresh process: moto and the stack first (not timed), then the handler's import and first request."""
    from lindungi_dev import samples
    from lindungi_dev.emulator.lambdas import s3_put_event
    from lindungi_dev.emulator.server import Emulator
    from lindungi_dev.emulator.urls import url_event

    with Emulator() as emu:
        function = FUNCTIONS[which]
        if which == "portal":
            cookies = "; ".join(f"{k}={v}" for k, v in _session(emu).items())
            event = url_event("GET", "/", [("Host", "127.0.0.1:9"), ("User-Agent", "bench"), ("Cookie", cookies)],
                              b"", "127.0.0.1", 9)
        else:
            people, _ = samples.plant_faults(samples.workers(20, "pekerja-rentan", seed=5))
            key = f"incoming/pekerja-rentan/{OFFICE}/20260101-080000-daftar.xlsx"
            s3, bucket = emu.client("s3"), emu.stack.physical("UploadBucket")
            put = s3.put_object(Bucket=bucket, Key=key, Body=samples.write_xlsx(people, "pekerja-rentan"))
            head = s3.head_object(Bucket=bucket, Key=key)
            event = s3_put_event(bucket, key, head["ContentLength"], head["ETag"].strip('"'), put.get("VersionId"))
        started = time.perf_counter()
        emu.module(function)
        imported = time.perf_counter()
        result = emu.invoke(function, event)
        done = time.perf_counter()
        if which == "portal" and result.get("statusCode") != 200:
            raise RuntimeError(f"GET / answered {result.get('statusCode')}")
    return {"import_s": imported - started, "first_request_s": done - imported, "cold_start_s": done - started}


def _session(emu: Any) -> dict[str, str]:
    """The cookies of an office clerk already signed in (their first password changed), from Cognito itself."""
    from lindungi.portal.auth import ACCESS_COOKIE, ID_COOKIE
    from lindungi_dev.emulator import cognito

    password = cognito.create_user(emu.session, emu.stack, "kantor.bench", ["kantor"], {"custom:office": OFFICE})
    idp, client = emu.client("cognito-idp"), emu.stack.physical("UserPoolClient")
    first = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "kantor.bench", "PASSWORD": password})
    tokens = idp.respond_to_auth_challenge(
        ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
        ChallengeResponses={"USERNAME": "kantor.bench", "NEW_PASSWORD": "Lindungi-Bench-2025"})["AuthenticationResult"]
    return {ID_COOKIE: tokens["IdToken"], ACCESS_COOKIE: tokens["AccessToken"]}


def cold_starts(runs: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for which in FUNCTIONS:
        samples_: list[dict[str, float]] = []
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-m", "lindungi_dev.bench", "portal", "--child", which],
                                  capture_output=True, text=True, check=False)
            if done.returncode:
                raise RuntimeError(f"{which} cold start failed:\n{done.stderr[-3000:]}")
            samples_.append(json.loads(done.stdout.strip().splitlines()[-1]))
        out[which] = {k: statistics.median(s[k] for s in samples_) for k in samples_[0]}
    return out


# ------------------------------------------------------------------------------- warm requests


class Browser:
    """The clerk's browser, without a browser: each request the payload 2.0 event a function URL makes of it,
    sent to the function in-process; cookies kept as a browser keeps them; redirects followed."""

    def __init__(self, emu: Any, function: str) -> None:
        self.emu, self.function = emu, function
        self.jar: dict[str, str] = {}
        self.page = ""
        self.secret = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> dict[str, Any]:
        from lindungi_dev.emulator.urls import url_event

        headers = [("Host", "127.0.0.1:9"), ("User-Agent", "bench")]
        if self.jar:
            headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.jar.items())))
        body = b""
        if form is not None:
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = urlencode(form).encode()
        result: dict[str, Any] = self.emu.invoke(self.function, url_event(method, path, headers, body, "127.0.0.1", 9))
        for cookie in result.get("cookies") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in cookie or "expires=Thu, 01 Jan 1970" in cookie or not value:
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        raw = result.get("body") or ""
        self.page = base64.b64decode(raw).decode("utf-8", "replace") if result.get("isBase64Encoded") else raw
        return result

    def go(self, method: str, path: str, form: dict[str, str] | None = None) -> str:
        """The request and its redirects; the path of the page it ends on."""
        result = self.request(method, path, form)
        while result["statusCode"] in (301, 302, 303):
            path = urlsplit(result["headers"]["Location"]).path + (
                f"?{urlsplit(result['headers']['Location']).query}" if urlsplit(result["headers"]["Location"]).query
                else "")
            result = self.request("GET", path)
        if result["statusCode"] >= 400:
            raise RuntimeError(f"{method} {path}: {result['statusCode']}")
        return path

    def field(self, name: str) -> str:
        found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', self.page)
        if not found:
            raise LookupError(f"no {name} on the page")
        return found.group(1)

    def sign_in(self, username: str, password: str, new_password: str) -> None:
        from lindungi_dev.webdriver import totp

        self.go("GET", "/masuk")
        where = self.go("POST", "/masuk", {"pre": self.field("pre"), "username": username, "password": password})
        if where == "/masuk/sandi-baru":
            where = self.go("POST", where, {"pre": self.field("pre"), "new_password": new_password,
                                             "new_password_again": new_password})
        if where == "/mfa":
            secret = re.search(r'id="totp-secret">([^<]+)<', self.page)
            assert secret, "no TOTP secret on the set-up page"
            self.secret = secret.group(1).strip()
            self.go("POST", "/mfa", {"pre": self.field("pre"), "code": totp(self.secret)})
            where = self.go("POST", "/masuk", {"pre": self.field("pre"), "username": username,
                                               "password": new_password})
        if where == "/masuk/kode":
            where = self.go("POST", where, {"pre": self.field("pre"), "code": totp(self.secret)})
        if where != "/":
            raise RuntimeError(f"{username}: the sign-in ended on {where}")


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """Every AWS request made meanwhile: botocore's calls by operation, and HTTP fetches of a pool's keys."""
    import urllib.request

    from botocore.client import BaseClient

    counts: Counter[str] = Counter()
    original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private, untyped in the stubs
    opener = urllib.request.OpenerDirector.open

    def make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        counts[f"{client.meta.service_model.service_name}:{operation}"] += 1
        return original(client, operation, params)

    def open_(self: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        full = url if isinstance(url, str) else url.full_url
        if "jwks" in full:
            counts["cognito:jwks.json"] += 1
        return opener(self, url, *args, **kwargs)

    setattr(BaseClient, "_make_api_call", make_api_call)  # noqa: B010
    urllib.request.OpenerDirector.open = open_  # type: ignore[method-assign,assignment]
    try:
        yield counts
    finally:
        setattr(BaseClient, "_make_api_call", original)  # noqa: B010
        urllib.request.OpenerDirector.open = opener  # type: ignore[method-assign]


def warm(repeats: int = 5) -> dict[str, Any]:
    from lindungi_dev import samples
    from lindungi_dev.emulator import cognito
    from lindungi_dev.emulator.server import Emulator

    with Emulator() as emu:
        s3, bucket = emu.client("s3"), emu.stack.physical("UploadBucket")
        people, _ = samples.plant_faults(samples.workers(200, "pekerja-rentan", seed=6), every=13)
        key = f"incoming/pekerja-rentan/{OFFICE}/20260101-080000-Daftar Pasiran.xlsx"
        version = s3.put_object(Bucket=bucket, Key=key, Body=samples.write_xlsx(people, "pekerja-rentan"),
                                Metadata={"uploader": "kantor.pasiran"}).get("VersionId")
        outcome = emu.notify_s3("UploadBucket", key, version)
        if not outcome["ok"]:
            raise RuntimeError(outcome["error"])
        report = json.loads(s3.get_object(Bucket=bucket, Key=outcome["result"]["files"][0]["report_key"])["Body"]
                            .read())
        nik = next(row["nik"] for row in report["accepted"] if row.get("phone"))
        branch, office = Browser(emu, FUNCTIONS["portal"]), Browser(emu, FUNCTIONS["portal"])
        branch.sign_in("bpjs.bench", cognito.create_user(emu.session, emu.stack, "bpjs.bench", ["bpjs"]),
                       "Lindungi-Bench-2025")
        office.sign_in("kantor.bench", cognito.create_user(emu.session, emu.stack, "kantor.bench", ["kantor"],
                                                           {"custom:office": OFFICE}), "Lindungi-Bench-2025")
        branch.go("GET", "/peserta")
        csrf = branch.field("csrf")
        page = "/laporan/" + "/".join(quote(part, safe="") for part in outcome["result"]["files"][0]["report_key"]
                                      .removeprefix("reports/").removesuffix(".json").split("/")) + ".html"
        figures: dict[str, Any] = {}
        for name, send in {"lookup": lambda: branch.request("POST", "/peserta", {"csrf": csrf, "nik": nik}),
                           "report view": lambda: office.request("GET", page)}.items():
            send()  # warm-up: the first of each kind
            runs: list[tuple[Counter[str], float]] = []
            for _ in range(repeats):
                with counting() as counts:
                    started = time.perf_counter()
                    answer = send()
                    elapsed = time.perf_counter() - started
                if answer["statusCode"] != 200:
                    raise RuntimeError(f"{name}: {answer['statusCode']}")
                runs.append((counts, elapsed))
            figures[name] = {"requests": max(sum(c.values()) for c, _ in runs),
                             "by_operation": dict(runs[-1][0]),
                             "ms_median_on_moto": round(statistics.median(s for _, s in runs) * 1000, 1)}
        return figures


def run(runs: int = 5) -> dict[str, Any]:
    return {"cold": cold_starts(runs), "warm": warm()}


def report(figures: dict[str, Any]) -> None:
    cold = figures["cold"]
    ratio = cold["portal"]["cold_start_s"] / cold["ingest"]["cold_start_s"]
    print_table("Cold start: handler import + first request, fresh process, median (lindungi_dev.bench.portal)",
                ["function", "import ms", "first request ms", "cold start ms"],
                [[name, f"{f['import_s'] * 1000:.0f}", f"{f['first_request_s'] * 1000:.0f}",
                  f"{f['cold_start_s'] * 1000:.0f}"] for name, f in cold.items()])
    print(f"portal / ingest: {ratio:.2f}x (target <= {COLD_TARGET}x) {verdict(ratio <= COLD_TARGET)}")
    rows = []
    for name, f in figures["warm"].items():
        target = f"<= {LOOKUP_TARGET}" if name == "lookup" else "-"
        ok = verdict(f["requests"] <= LOOKUP_TARGET) if name == "lookup" else ""
        rows.append([name, str(f["requests"]), target, ok,
                     ", ".join(f"{k} {v}" for k, v in sorted(f["by_operation"].items())), f"{f['ms_median_on_moto']}"])
    print_table("Warm requests: AWS requests the portal makes (most of the runs)",
                ["request", "AWS requests", "target", "", "by operation", "ms (moto, median)"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lindungi_dev.bench portal", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per cold start")
    parser.add_argument("--child", choices=sorted(FUNCTIONS), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    figures = run(args.runs)
    print(json.dumps(figures, indent=1)) if args.json else report(figures)
    return 0
