"""The portal's routes (Powertools' ``LambdaFunctionUrlResolver``): sign-in, home, sign-out, TOTP set-up, and
the pages of ``lists`` (upload, riwayat, reports), ``people`` (cari peserta) and ``rekap_view``.

``resolve(event, context, portal)`` is the whole of the handler's work. The routes, cookies and form fields
are in docs/design.md (Portal), for the emulator's adapter and the browser tests.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote, unquote

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response

from lindungi.logs import get_logger
from lindungi.metrics import emit_single
from lindungi.outcomes import say
from lindungi.portal import lists, pages, people, rekap_view
from lindungi.portal.auth import (
    ACCESS_COOKIE,
    CHALLENGE_COOKIE,
    ID_COOKIE,
    PRE_COOKIE,
    Challenge,
    NotSignedIn,
    SignInRefused,
    Tokens,
    csrf_ok,
    pre_ok,
    pre_token,
)
from lindungi.portal.session import (
    BadForm,
    Forbidden,
    NoRole,
    NotFound,
    Portal,
    cookie,
    cookies,
    expired,
    form,
    html,
    redirect,
    session,
    staff_of,
)

logger = get_logger()
app = LambdaFunctionUrlResolver()
app.include_router(lists.router)
app.include_router(people.router)
app.include_router(rekap_view.router)

SETUP_COOKIE = "lindungi_setup"
"""The access token of a user who must set TOTP up before their first session (path ``/mfa``, 10 minutes)."""
SETUP_SECONDS = 600
CHALLENGE_SECONDS = 180
PRE_FIELD = "pre"
NOTES = {"keluar": ("ok", "portal.signed_out"), "habis": ("warn", "portal.signin_again"),
         "mfa": ("ok", "portal.mfa_done")}
"""``/masuk?info=<note>``: the sentence the sign-in page opens with after a redirect."""


def resolve(event: dict[str, Any], context: Any, portal: Portal) -> dict[str, Any]:
    app.append_context(portal=portal)
    return app.resolve(event, context)


def _portal() -> Portal:
    found: Portal = app.context["portal"]
    return found


# ------------------------------------------------------------------------------- refusals as pages


@app.exception_handler(NotSignedIn)
def _not_signed_in(_: NotSignedIn) -> Response[str]:
    return redirect("/masuk?info=habis", cookies=[expired(ID_COOKIE), expired(ACCESS_COOKIE)])


@app.exception_handler(NoRole)
def _no_role(error: NoRole) -> Response[str]:
    return html(pages.message_page("portal.forbidden_title", "portal.no_role", "bad", None, error.session.csrf)
                .replace("<main>", _signout_only(error.session.csrf)), status=403)


def _signout_only(csrf: str) -> str:
    return (f'<main><form class="inline" method="post" action="/keluar">{pages.hidden("csrf", csrf)}'
            f'<button class="link" type="submit" id="signout">{escape(say("portal.signout"))}</button></form>')


@app.exception_handler(Forbidden)
def _forbidden(_: Forbidden) -> Response[str]:
    return html(pages.message_page("portal.forbidden_title", "portal.forbidden"), status=403)


@app.exception_handler(NotFound)
def _not_found(_: NotFound) -> Response[str]:
    return html(pages.message_page("portal.not_found", "portal.not_found"), status=404)


@app.not_found
def _no_route(_: Exception) -> Response[str]:
    return _not_found(NotFound())


FAILED_METRIC = "PortalRequestsFailed"
"""A request that raised (an AWS error, a bug): staff get the error page, operators PortalRequestsFailedAlarm."""


@app.exception_handler(Exception)
def _failed(error: Exception) -> Response[str]:
    logger.exception("portal request failed", extra={"exception_name": type(error).__name__})
    emit_single(FAILED_METRIC, 1, {"service": "portal"})
    return html(pages.message_page("portal.error", "portal.error"), status=500)


@app.exception_handler(BadForm)
def _bad_form(_: BadForm) -> Response[str]:
    return html(pages.message_page("portal.bad_form", "portal.bad_form"), status=400)


# ------------------------------------------------------------------------------- signing in


@app.get("/masuk")
def signin_page() -> Response[str]:
    note = NOTES.get(app.current_event.get_query_string_value("info") or "")
    return _signin(None, note)


def _signin(error_key: str | None, note: tuple[str, str] | None = None, status: int = 200) -> Response[str]:
    token = cookies(app.current_event).get(PRE_COOKIE) or pre_token()
    top = pages.status("bad", say(error_key), "message") if error_key else (
        pages.status(note[0], say(note[1]), "message") if note else "")
    body = (f'<h1>{escape(say("portal.signin"))}</h1><p class="meta">{escape(say("portal.signin_lead"))}</p>{top}'
            + pages.form("/masuk", [pages.field("portal.username", "username", autocomplete="username"),
                                    pages.field("portal.password", "password", "password", "current-password")],
                         "portal.signin", token, "signin", token_field=PRE_FIELD))
    return html(pages.document(say("portal.signin"), body), status=status, cookies=[cookie(PRE_COOKIE, token)])


def _pre_form() -> dict[str, str]:
    fields = form(app.current_event)
    if not pre_ok(cookies(app.current_event).get(PRE_COOKIE), fields.get(PRE_FIELD)):
        raise BadForm("pre")
    return fields


@app.post("/masuk")
def signin() -> Response[str]:
    fields = _pre_form()
    username, password = fields.get("username", "").strip(), fields.get("password", "")
    if not username or not password:
        return _signin("portal.signin_wrong", status=401)
    try:
        answer = _portal().cognito.sign_in(username, password)
    except SignInRefused as refused:
        logger.info("sign-in refused", extra={"reason": refused.reason})
        return _signin(refused.reason, status=401)
    return _after(answer)


def _after(answer: Tokens | Challenge) -> Response[str]:
    """Tokens: the session (or TOTP set-up first); a challenge: its page."""
    if isinstance(answer, Challenge):
        value = f"{answer.name}|{quote(answer.username, safe='')}|{answer.session}"
        page = "/masuk/sandi-baru" if answer.name == "NEW_PASSWORD_REQUIRED" else "/masuk/kode"
        return redirect(page, cookies=[cookie(CHALLENGE_COOKIE, value, CHALLENGE_SECONDS, "/masuk")])
    portal = _portal()
    staff, _ = portal.verifier.staff(answer.id_token)
    done = [expired(CHALLENGE_COOKIE, "/masuk"), expired(PRE_COOKIE)]
    if staff is not None and staff.needs_mfa and not (portal.mfa and portal.mfa.holds(answer.access_token,
                                                                                    staff.username)):
        logger.info("sign-in needs TOTP set-up first", extra={"role": staff.role.value})
        return redirect("/mfa", cookies=[*done, cookie(SETUP_COOKIE, answer.access_token, SETUP_SECONDS, "/mfa")])
    logger.info("signed in", extra={"role": staff.role.value if staff else None})
    session = [cookie(ID_COOKIE, answer.id_token), cookie(ACCESS_COOKIE, answer.access_token)]
    return redirect("/", cookies=[*done, *session])


def _challenge(expected: str) -> Challenge:
    raw = cookies(app.current_event).get(CHALLENGE_COOKIE, "")
    name, _, rest = raw.partition("|")
    username, _, cognito_session = rest.partition("|")
    if name != expected or not username or not cognito_session:
        raise NotSignedIn("no challenge")
    return Challenge(name, cognito_session, unquote(username))


def _challenge_page(title: str, lead: str, parts: list[str], action: str, ident: str,
                    error_key: str | None = None, status: int = 200) -> Response[str]:
    token = cookies(app.current_event).get(PRE_COOKIE) or pre_token()
    top = pages.status("bad", say(error_key), "message") if error_key else ""
    body = (f"<h1>{escape(say(title))}</h1><p class=\"meta\">{escape(say(lead))}</p>{top}"
            + pages.form(action, parts, "portal.send", token, ident, token_field=PRE_FIELD))
    return html(pages.document(say(title), body), status=status, cookies=[cookie(PRE_COOKIE, token)])


NEW_PASSWORD_PARTS = [pages.field("portal.new_password_field", "new_password", "password", "new-password"),
                      pages.field("portal.new_password_again", "new_password_again", "password", "new-password")]
CODE_PARTS = [pages.field("portal.mfa_code", "code", "text", "one-time-code",
                          ' inputmode="numeric" pattern="[0-9]{6}" maxlength="6"')]


@app.get("/masuk/sandi-baru")
def new_password_page() -> Response[str]:
    _challenge("NEW_PASSWORD_REQUIRED")
    return _challenge_page("portal.new_password", "portal.new_password_lead", NEW_PASSWORD_PARTS,
                           "/masuk/sandi-baru", "new-password")


@app.post("/masuk/sandi-baru")
def new_password() -> Response[str]:
    fields = _pre_form()
    challenge = _challenge("NEW_PASSWORD_REQUIRED")
    password = fields.get("new_password", "")
    if password != fields.get("new_password_again", ""):
        return _challenge_page("portal.new_password", "portal.new_password_lead", NEW_PASSWORD_PARTS,
                               "/masuk/sandi-baru", "new-password", "portal.password_mismatch", 400)
    try:
        return _after(_portal().cognito.new_password(challenge, password))
    except SignInRefused as refused:
        return _challenge_page("portal.new_password", "portal.new_password_lead", NEW_PASSWORD_PARTS,
                               "/masuk/sandi-baru", "new-password", refused.reason, 400)


@app.get("/masuk/kode")
def code_page() -> Response[str]:
    _challenge("SOFTWARE_TOKEN_MFA")
    return _challenge_page("portal.mfa_code", "portal.mfa_code_lead", CODE_PARTS, "/masuk/kode", "mfa-code")


@app.post("/masuk/kode")
def code() -> Response[str]:
    fields = _pre_form()
    challenge = _challenge("SOFTWARE_TOKEN_MFA")
    try:
        return _after(_portal().cognito.mfa_code(challenge, fields.get("code", "").strip()))
    except SignInRefused as refused:
        if refused.reason == "portal.signin_wrong":  # Cognito's session for the code has expired
            return redirect("/masuk?info=habis", cookies=[expired(CHALLENGE_COOKIE, "/masuk")])
        return _challenge_page("portal.mfa_code", "portal.mfa_code_lead", CODE_PARTS, "/masuk/kode", "mfa-code",
                               refused.reason, 400)


# ------------------------------------------------------------------------------- TOTP set-up


def _setup_token() -> str:
    token = cookies(app.current_event).get(SETUP_COOKIE)
    if not token:
        raise NotSignedIn("no set-up")
    return token


def _setup_page(error_key: str | None = None, status: int = 200) -> Response[str]:
    secret = _portal().cognito.totp_secret(_setup_token())
    token = cookies(app.current_event).get(PRE_COOKIE) or pre_token()
    top = pages.status("bad", say(error_key), "message") if error_key else ""
    body = (f'<h1>{escape(say("portal.mfa_setup"))}</h1><p>{escape(say("portal.mfa_setup_lead"))}</p>{top}'
            f'<div class="box"><p class="small">{escape(say("portal.mfa_secret"))}</p>'
            f'<p class="secret" id="totp-secret">{escape(secret)}</p></div>'
            + pages.form("/mfa", [pages.field("portal.mfa_setup_code", "code", "text", "one-time-code",
                                              ' inputmode="numeric" pattern="[0-9]{6}" maxlength="6"')],
                         "portal.send", token, "mfa-setup", token_field=PRE_FIELD))
    return html(pages.document(say("portal.mfa_setup"), body), status=status, cookies=[cookie(PRE_COOKIE, token)])


@app.get("/mfa")
def mfa_page() -> Response[str]:
    return _setup_page()


@app.post("/mfa")
def mfa() -> Response[str]:
    fields = _pre_form()
    try:
        _portal().cognito.enable_totp(_setup_token(), fields.get("code", "").strip())
    except SignInRefused as refused:
        return _setup_page(refused.reason, 400)
    logger.info("TOTP set up")
    return redirect("/masuk?info=mfa", cookies=[expired(SETUP_COOKIE, "/mfa")])


# ------------------------------------------------------------------------------- home and sign-out


@app.get("/")
def home() -> Response[str]:
    staff, found = staff_of(app.current_event, _portal())
    links = []
    if staff.uploads:
        links.append(("/unggah", "portal.menu_upload", "portal.upload"))
    if staff.uploads or staff.sees_every_office:
        links.append(("/riwayat", "portal.menu_riwayat", "portal.riwayat_lead"))
    if staff.looks_workers_up:
        links.append(("/peserta", "portal.menu_lookup", "portal.lookup_lead"))
    if staff.reads_rekap:
        links.append(("/rekap/", "portal.menu_rekap", "portal.rekap"))
    cards = "".join(f'<div class="box"><h2><a href="{href}">{escape(say(title))}</a></h2>'
                    f"<p>{escape(say(lead, mb=_portal().settings.max_file_bytes // 2**20))}</p></div>"
                    for href, title, lead in links)
    return html(pages.document(say("portal.home"), f'<h1>{escape(say("portal.name"))}</h1>{cards}', staff, found.csrf))


@app.post("/keluar")
def signout() -> Response[str]:
    found = session(app.current_event, _portal())
    if not csrf_ok(cookies(app.current_event).get(ID_COOKIE), form(app.current_event).get("csrf")):
        raise BadForm("csrf")
    _portal().cognito.sign_out(found.access_token)
    logger.info("signed out")
    return redirect("/masuk?info=keluar", cookies=[expired(ID_COOKIE), expired(ACCESS_COOKIE)])
