"""moto's server on 127.0.0.1, provisioned from template.yaml, with the Lambda dispatcher on top.

DynamoDB, the service the reminder days lean on most, is answered by a second moto server in a process of its
own (``MotoProcess``: ``python -m moto.server``, as released), reached through boto3's service-specific endpoint
``AWS_ENDPOINT_URL_DYNAMODB``; every other service by the ``ThreadedMotoServer`` in this process. The functions
run in this process, so while one waits for DynamoDB, another's Python runs: the second core is used, where one
process (one GIL) for everything used one. Nothing here reads DynamoDB's state from moto's objects; what the
emulator reads from moto's objects (SNS's published SMS, SQS's polling, SNS's opt-out list) stays in this
process, on this process's clock, which the demo moves with time-machine (moto's SQS honours visibility timeouts
on it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import boto3

from . import cognito
from .lambdas import LambdaRunner
from .provision import provision
from .template import REGION, STACK


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoProcess:
    """moto's server, as released (``moto.server`` run as ``python -m`` runs it), in a child process on
    127.0.0.1: its own GIL, its own state, which lives as long as the process does."""

    def __init__(self, port: int | None = None, timeout_s: float = 60.0) -> None:
        self.port = port or _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        # Its banner goes nowhere: the demo's terminal shows progress. Its request log (werkzeug's, a line per
        # request, formatted and written to nowhere: 7 % of the process's CPU on a day of sending) is off, as in
        # this process's server: werkzeug's logger set to ERROR before moto's own ``main`` runs.
        start = ("import logging, runpy; logging.getLogger('werkzeug').setLevel(logging.ERROR); "
                 "runpy.run_module('moto.server', run_name='__main__', alter_sys=True)")
        self._process = subprocess.Popen([sys.executable, "-c", start, "-H", "127.0.0.1", "-p", str(self.port)],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto's server exited with {self._process.returncode} before listening")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto's server did not listen on {self.port} within {timeout_s} s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


class Emulator(LambdaRunner):
    """moto's server on 127.0.0.1, provisioned from template.yaml, with the Lambda dispatcher on top.

    While it runs, anyone can look inside with the AWS CLI or boto3:
    ``aws --endpoint-url http://127.0.0.1:PORT s3 ls``; DynamoDB at ``dynamodb_endpoint``.
    """

    def __init__(self, port: int | None = None, stack_name: str = STACK,
                 parameters: dict[str, str] | None = None) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        from werkzeug.serving import WSGIRequestHandler

        # HTTP/1.1 (chunked replies allowed); werkzeug still answers every request with "Connection: close", so
        # each call is a new connection and a new server thread (docs/benchmarks.md).
        WSGIRequestHandler.protocol_version = "HTTP/1.1"

        self.port = port or _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        # moto keeps its accounts in this process, not in the server: an emulator started after another one in
        # the same process (two test modules on one pytest worker) would find the first one's bucket, tables and
        # queues. Each emulator starts from an empty account, as a new stack in a new account would (DynamoDB's
        # own process below is new each time).
        reset = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310 (our http://127.0.0.1)
        urllib.request.urlopen(reset, timeout=30).close()  # noqa: S310
        try:
            self._dynamodb = MotoProcess()
        except BaseException:
            self._server.stop()
            raise
        self.dynamodb_endpoint = self._dynamodb.endpoint
        local = {
            **cognito.TOTP_CHECKED,
            "AWS_ENDPOINT_URL": self.endpoint, "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
        }
        self._environ_before = {name: os.environ.get(name) for name in local}
        """What ``stop`` puts back: the process's environment is the emulator's only while it runs (a later
        client of this process would otherwise call DynamoDB on a port nobody listens on)."""
        os.environ.update(local)
        session = boto3.Session(region_name=REGION)
        # The event source mappings hand over batches at once, as Lambda does: while one sender waits for DynamoDB
        # (the other process), another runs here.
        super().__init__(provision(session, stack_name, parameters), session, concurrent_batches=True)

    def env(self, function: str) -> dict[str, str]:
        """The template's environment, with AWS's public endpoints that are plain HTTPS (not SDK calls, which
        ``AWS_ENDPOINT_URL`` already points here) pointed at moto's server: a user pool's keys
        (``https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json``), which moto serves at
        ``<endpoint>/<pool>/.well-known/jwks.json``. The issuer stays AWS's: moto signs tokens with it."""
        aws = f"https://cognito-idp.{self.stack.region}.amazonaws.com/"
        return {name: (f"{self.endpoint}/{value.removeprefix(aws)}"
                       if value.startswith(aws) and value.endswith("/.well-known/jwks.json") else value)
                for name, value in super().env(function).items()}

    def stop(self) -> None:
        try:
            self.stop_urls()
            self.settle()
            self._server.stop()
        finally:
            self._dynamodb.stop()
            for name, value in self._environ_before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
