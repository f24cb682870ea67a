"""Lambda function URLs, played on 127.0.0.1: an HTTP request in, the function-URL event (payload 2.0) to the
function, its answer back as HTTP.

Each function of template.yaml with a ``FunctionUrlConfig`` gets a ``FunctionUrl``: a stdlib
``ThreadingHTTPServer`` on its own port whose requests become the event Lambda builds for a function URL
(``url_event``) and whose function's result becomes the HTTP response as Lambda makes it (``http_response``):

- the event: ``version`` "2.0", ``routeKey`` "$default", ``rawPath``, ``rawQueryString``, ``cookies`` (the
  ``Cookie`` header split; the header itself left out), ``headers`` lower-cased (repeated ones joined with a
  comma, ``x-forwarded-for/-proto/-port`` added as Lambda's front end adds them), ``queryStringParameters`` (repeated
  ones joined with a comma), ``requestContext`` (``accountId`` "anonymous" for ``AuthType: NONE``, ``http``
  with ``method``, ``path``, ``protocol``, ``sourceIp``, ``userAgent``, ``requestId``, ``time``, ``timeEpoch``), and
  ``body`` with ``isBase64Encoded``: text (``text/*``, JSON, XML, JavaScript) as it is, anything else
  base64-encoded, as Lambda does (an HTML form's ``application/x-www-form-urlencoded`` body arrives base64);
- the response: a dict with ``statusCode`` gives that status, its ``headers``, each of its ``cookies`` as a
  ``Set-Cookie`` header, its ``body`` (base64-decoded when ``isBase64Encoded``); any other result is 200 with the
  result as JSON; a function that raises gives 502, as Lambda's front end does; a request over 6 MB gives 413.

The port is 127.0.0.1's only: nothing listens on other interfaces. There is no TLS: the address is
``http://127.0.0.1:PORT``, and ``x-forwarded-proto`` says "http" so a page building its own links can tell.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MAX_REQUEST = 6 * 1024 * 1024
"""Lambda's limit on an invocation's payload (synchronous): a function URL refuses a larger request with 413."""

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
"""Bodies Lambda passes as text; any other body arrives base64-encoded."""

Handler = Callable[[dict[str, Any]], Any]
"""Invokes the function with an event; returns its result, raises its error."""


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(TEXT_TYPES) or kind.endswith(("+json", "+xml"))


def url_event(method: str, target: str, headers: list[tuple[str, str]], body: bytes, source_ip: str,
              port: int, account: str = "anonymous") -> dict[str, Any]:
    """The event Lambda gives a function for one HTTP request to its URL (payload format 2.0)."""
    split = urlsplit(target)
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    merged.update({"x-forwarded-for": source_ip, "x-forwarded-proto": "http", "x-forwarded-port": str(port)})
    host = merged.get("host", f"127.0.0.1:{port}")
    now = datetime.now(UTC)
    request_id = str(uuid.uuid4())
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": split.path or "/",
        "rawQueryString": split.query,
        "headers": merged,
        "requestContext": {
            "accountId": account,
            "apiId": host.split(".", 1)[0].split(":", 1)[0],
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {"method": method.upper(), "path": split.path or "/", "protocol": "HTTP/1.1",
                     "sourceIp": source_ip, "userAgent": merged.get("user-agent", "")},
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    query: dict[str, str] = {}
    for name, value in parse_qsl(split.query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    if query:
        event["queryStringParameters"] = query
    if body:
        if _is_text(merged.get("content-type", "")):
            event["body"] = body.decode("utf-8", errors="replace")
        else:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


def http_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) Lambda's front end makes of what the function returned."""
    if not (isinstance(result, dict) and "statusCode" in result):
        body = json.dumps(result).encode()
        return 200, [("Content-Type", "application/json")], body
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    headers += [("Set-Cookie", str(c)) for c in result.get("cookies") or []]
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode("utf-8")
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return int(result["statusCode"]), headers, body


class _Request(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the function logs each request itself (one line a request would fill the terminal)."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST:
            for start in range(0, length, 1 << 16):  # read to the end, so the client hears the answer
                self.rfile.read(min(1 << 16, length - start))
            self._send(413, [("Content-Type", "application/json")], b'{"Message":"Request must be smaller than '
                       b'6291456 bytes for the InvokeFunction operation"}')
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        event = url_event(self.command, self.path, list(self.headers.items()), body, self.client_address[0],
                          self.server.server_address[1])
        try:
            status, headers, payload = http_response(self.server.handler(event))
        except Exception:  # noqa: BLE001 - Lambda answers any function error the same way
            traceback.print_exc(file=sys.stderr)
            status, headers, payload = 502, [("Content-Type", "application/json")], b'{"Message":null}'
        self._send(status, headers, payload)

    def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    handler: Handler


class FunctionUrl:
    """One function's URL on 127.0.0.1 (``url``), until ``stop``."""

    def __init__(self, handler: Handler, port: int = 0) -> None:
        self._server = _Server(("127.0.0.1", port), _Request)
        self._server.handler = handler
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"function-url-{self.port}",
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

