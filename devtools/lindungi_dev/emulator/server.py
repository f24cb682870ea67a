"""moto's server on 127.0.0.1, provisioned from template.yaml, with the Lambda dispatcher on top."""

from __future__ import annotations

import os
import socket
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


class Emulator(LambdaRunner):
    """moto's server on 127.0.0.1, provisioned from template.yaml, with the Lambda dispatcher on top.

    While it runs, anyone can look inside with the AWS CLI or boto3:
    ``aws --endpoint-url http://127.0.0.1:PORT s3 ls``.
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
        # queues. Each emulator starts from an empty account, as a new stack in a new account would.
        reset = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310 (our http://127.0.0.1)
        urllib.request.urlopen(reset, timeout=30).close()  # noqa: S310
        local = {
            **cognito.TOTP_CHECKED,
            "AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
        }
        self._environ_before = {name: os.environ.get(name) for name in local}
        """What ``stop`` puts back: the process's environment is the emulator's only while it runs."""
        os.environ.update(local)
        session = boto3.Session(region_name=REGION)
        super().__init__(provision(session, stack_name, parameters), session)

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
        self.stop_urls()
        self._server.stop()
        for name, value in self._environ_before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
