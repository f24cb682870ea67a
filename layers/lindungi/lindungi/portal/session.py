"""What every route of the portal shares: the clients and settings (``Portal``), the signed-in user of a
request, its cookies and forms, and the refusals (``Forbidden``, ``NotFound``) the app turns into pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes.api_gateway_proxy_event import APIGatewayProxyEventV2

from lindungi.config import Programs
from lindungi.config import programs as shipped_programs
from lindungi.portal import pages
from lindungi.portal.auth import (
    ACCESS_COOKIE,
    CSRF_FIELD,
    ID_COOKIE,
    Cognito,
    MfaCheck,
    NotSignedIn,
    Verifier,
    csrf_ok,
    csrf_token,
)
from lindungi.portal.roles import Staff
from lindungi.settings import PortalSettings

HTML = "text/html; charset=utf-8"
SESSION_SECONDS = 3600
"""The session cookies' life: the ID and access tokens' (the app client's 60 minutes)."""
MAX_FORM_BYTES = 16 * 1024
"""The portal's forms are a few fields; a larger body is refused before it is parsed."""


class Forbidden(Exception):
    """The user may not see this object (another office's, a role's that is not theirs)."""


class NotFound(Exception):
    pass


class BadForm(Exception):
    """A form without its CSRF token, or with a wrong one, or not a form at all."""


@dataclass
class Portal:
    """Built once per container by the handler; tests build it on moto."""

    settings: PortalSettings
    s3: Any
    dynamodb: Any
    cognito: Cognito
    verifier: Verifier
    programs: Programs = field(default_factory=shipped_programs)
    mfa: MfaCheck | None = None

    def __post_init__(self) -> None:
        if self.mfa is None:
            self.mfa = MfaCheck(self.cognito)


@dataclass(frozen=True)
class Session:
    """A signed-in request: the user (None: signed in but given no role) and the form token of their pages."""

    staff: Staff | None
    csrf: str
    access_token: str | None


def cookies(event: APIGatewayProxyEventV2) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw in event.cookies or []:
        name, _, value = raw.strip().partition("=")
        found.setdefault(name, value)
    return found


def session(event: APIGatewayProxyEventV2, portal: Portal) -> Session:
    """The request's verified session, or ``NotSignedIn``."""
    jar = cookies(event)
    token = jar.get(ID_COOKIE)
    staff, _ = portal.verifier.staff(token)
    if staff is not None and staff.office is not None:
        staff = replace(staff, office_name=portal.programs.office_name(staff.office))
    return Session(staff, csrf_token(token or ""), jar.get(ACCESS_COOKIE))


def staff_of(event: APIGatewayProxyEventV2, portal: Portal) -> tuple[Staff, Session]:
    """The signed-in user with a role, or ``NotSignedIn`` / ``Forbidden`` (no role: no data)."""
    found = session(event, portal)
    if found.staff is None:
        raise NoRole(found)
    if found.staff.needs_mfa and not (portal.mfa and portal.mfa.holds(found.access_token, found.staff.username)):
        raise NotSignedIn("no TOTP behind this session")
    return found.staff, found


class NoRole(Exception):
    """Signed in, but in no role group: the page says so and shows nothing else."""

    def __init__(self, found: Session) -> None:
        super().__init__("no role")
        self.session = found


def form(event: APIGatewayProxyEventV2) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as single values (the last of a repeated field)."""
    kind = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = event.decoded_body or ""
    if kind != "application/x-www-form-urlencoded" or len(body) > MAX_FORM_BYTES:
        raise BadForm("not a form")
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True, max_num_fields=20).items()}


def checked_form(event: APIGatewayProxyEventV2, portal: Portal) -> tuple[Staff, Session, dict[str, str]]:
    """A signed-in user's form, its CSRF token checked against their session."""
    staff, found = staff_of(event, portal)
    fields = form(event)
    token = cookies(event).get(ID_COOKIE)
    if not csrf_ok(token, fields.get(CSRF_FIELD)):
        raise BadForm("csrf")
    return staff, found, fields


def cookie(name: str, value: str, max_age: int = SESSION_SECONDS, path: str = "/") -> Cookie:
    """``HttpOnly; Secure; SameSite=Strict`` always (Chromium keeps Secure cookies of http://127.0.0.1 and
    http://localhost, which it treats as secure origins, so the emulator needs no exception)."""
    return Cookie(name=name, value=value, path=path, secure=True, http_only=True, max_age=max_age,
                  same_site=SameSite.STRICT_MODE)


def expired(name: str, path: str = "/") -> Cookie:
    return cookie(name, "", max_age=0, path=path)


def html(body: str, status: int = 200, cookies: list[Cookie] | None = None,
         form_targets: tuple[str, ...] = (), csp: str | None = None) -> Response[str]:
    return Response(status_code=status, content_type=HTML, body=body, cookies=cookies or [],
                    headers=security_headers(csp or pages.csp(form_targets)))


def redirect(location: str, cookies: list[Cookie] | None = None) -> Response[str]:
    """303 See Other: after a POST the browser GETs ``location``."""
    return Response(status_code=303, body="", cookies=cookies or [],
                    headers={"Location": location, **security_headers(pages.csp())})


def security_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Strict-Transport-Security": "max-age=31536000",
        "X-Frame-Options": "DENY",
    }


def origin(event: APIGatewayProxyEventV2) -> str:
    """The portal's own address as the browser reached it (the function URL's domain; the emulator's
    ``http://127.0.0.1:<port>`` when its adapter says ``x-forwarded-proto: http``)."""
    scheme = (event.headers.get("x-forwarded-proto") or "https").lower()
    scheme = scheme if scheme in ("http", "https") else "https"
    host = event.headers.get("host") or event.request_context.domain_name
    return f"{scheme}://{host}"

