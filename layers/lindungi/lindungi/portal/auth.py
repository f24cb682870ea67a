"""Sign-in with Amazon Cognito and the session it gives: tokens verified on every request, CSRF tokens.

The sign-in form is posted to the portal, which asks Cognito (``InitiateAuth`` with ``USER_PASSWORD_AUTH``,
then ``RespondToAuthChallenge`` for ``NEW_PASSWORD_REQUIRED`` and ``SOFTWARE_TOKEN_MFA``); these calls need
no AWS credentials, Cognito authenticates the user. The session is the ID token (who, which role, which
office) and the access token (for sign-out and TOTP set-up) in ``HttpOnly; Secure; SameSite=Strict``
cookies. Every request's ID token is verified against the pool's published keys (JWKS, cached by PyJWT):
signature (RS256), issuer, audience (the app client), ``token_use`` = ``id``, expiry.

CSRF: a form's token is an HMAC of a fixed label keyed with the session's own ID token, so only a page
served to that session can carry it (the token is in an HttpOnly cookie no other site can read), and it
changes with every sign-in; no server secret to keep or rotate. Before a session exists (the sign-in and
first-password forms) the form carries a random value that must equal the ``lindungi_pre`` cookie's
(double submit; SameSite=Strict keeps other sites from sending that cookie at all).

Nothing here logs a password, a token, a TOTP secret or code; exceptions raised carry none either.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from botocore.exceptions import ClientError

from lindungi.portal.roles import Staff

ID_COOKIE = "lindungi_id"
ACCESS_COOKIE = "lindungi_access"
PRE_COOKIE = "lindungi_pre"
"""Random value of the forms shown before a session exists (double-submit CSRF)."""
CHALLENGE_COOKIE = "lindungi_challenge"
"""Cognito's ``Session`` of a challenge in progress (new password, TOTP code) and the user it is for."""
CSRF_FIELD = "csrf"
LEEWAY_SECONDS = 30
"""Clock skew allowed on ``exp`` and ``iat``."""


class NotSignedIn(Exception):
    """No session, or its token did not verify (expired, forged, another pool or client). No detail kept."""


def csrf_token(session_token: str) -> str:
    """The CSRF token of forms served to the session holding ``session_token`` (its ID token)."""
    return hmac.new(session_token.encode(), b"lindungi-csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str | None, sent: str | None) -> bool:
    return bool(session_token and sent) and hmac.compare_digest(csrf_token(session_token or ""), sent or "")


def pre_token() -> str:
    return secrets.token_urlsafe(24)


def pre_ok(cookie: str | None, sent: str | None) -> bool:
    return bool(cookie and sent) and hmac.compare_digest(cookie or "", sent or "")


KeyFinder = Callable[[str], Any]
"""The signing key (a ``jwt.PyJWK``) of a token, from its raw text."""


def jwks_keys(url: str) -> KeyFinder:
    """The pool's keys from ``url``, fetched once and cached (refetched when a token names an unknown key)."""
    client = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
    return client.get_signing_key_from_jwt


@dataclass
class Verifier:
    """Checks an ID token of this pool's app client."""

    issuer: str
    client_id: str
    keys: KeyFinder

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims, or ``NotSignedIn``."""
        try:
            key = self.keys(token)
            claims: dict[str, Any] = jwt.decode(
                token, key=key, algorithms=["RS256"], audience=self.client_id, issuer=self.issuer,
                leeway=LEEWAY_SECONDS, options={"require": ["exp", "iat", "iss", "aud", "token_use"]},
            )
        except (jwt.PyJWTError, ValueError, KeyError) as error:
            raise NotSignedIn(type(error).__name__) from None
        if claims.get("token_use") != "id":
            raise NotSignedIn("token_use")
        return claims

    def staff(self, token: str | None) -> tuple[Staff | None, dict[str, Any]]:
        """(the user, their claims) of a session's ID token; the user is None when they have no role."""
        if not token:
            raise NotSignedIn("no session")
        claims = self.claims(token)
        return Staff.from_claims(claims), claims


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str


@dataclass(frozen=True)
class Challenge:
    """Cognito asks for more before it gives tokens."""

    name: str
    """``NEW_PASSWORD_REQUIRED`` or ``SOFTWARE_TOKEN_MFA`` (the portal answers no other)."""
    session: str
    username: str


class SignInRefused(Exception):
    """Cognito refused: ``reason`` is a key of the portal's messages (never Cognito's own text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


ANSWERED = ("NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA")
_REASONS = {
    "NotAuthorizedException": "portal.signin_wrong",
    "UserNotFoundException": "portal.signin_wrong",
    "PasswordResetRequiredException": "portal.signin_reset",
    "UserNotConfirmedException": "portal.signin_wrong",
    "InvalidPasswordException": "portal.password_weak",
    "CodeMismatchException": "portal.mfa_wrong",
    "ExpiredCodeException": "portal.mfa_wrong",
    "EnableSoftwareTokenMFAException": "portal.mfa_wrong",
    "TooManyRequestsException": "portal.signin_busy",
    "LimitExceededException": "portal.signin_busy",
    "InvalidParameterException": "portal.signin_wrong",
}


def _refused(error: ClientError) -> SignInRefused:
    code = error.response.get("Error", {}).get("Code", "")
    if code not in _REASONS:
        raise error  # not the user's to fix: the handler logs the code (never the request) and shows an error
    return SignInRefused(_REASONS[code])


def _result(answer: dict[str, Any], username: str) -> Tokens | Challenge:
    result = answer.get("AuthenticationResult")
    if result:
        return Tokens(result["IdToken"], result["AccessToken"])
    name = answer.get("ChallengeName", "")
    if name not in ANSWERED:
        raise SignInRefused("portal.signin_unsupported")
    return Challenge(name, answer["Session"], answer.get("ChallengeParameters", {}).get("USER_ID_FOR_SRP", username))


@dataclass
class Cognito:
    """The user pool's public API as the portal uses it (no IAM: Cognito authenticates the user)."""

    client: Any
    client_id: str

    def sign_in(self, username: str, password: str) -> Tokens | Challenge:
        try:
            answer = self.client.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                               AuthParameters={"USERNAME": username, "PASSWORD": password})
        except ClientError as error:
            raise _refused(error) from None
        return _result(answer, username)

    def new_password(self, challenge: Challenge, password: str) -> Tokens | Challenge:
        return self._answer(challenge, {"USERNAME": challenge.username, "NEW_PASSWORD": password})

    def mfa_code(self, challenge: Challenge, code: str) -> Tokens | Challenge:
        return self._answer(challenge, {"USERNAME": challenge.username, "SOFTWARE_TOKEN_MFA_CODE": code})

    def _answer(self, challenge: Challenge, responses: dict[str, str]) -> Tokens | Challenge:
        try:
            answer = self.client.respond_to_auth_challenge(
                ClientId=self.client_id, ChallengeName=challenge.name, Session=challenge.session,
                ChallengeResponses=responses)
        except ClientError as error:
            raise _refused(error) from None
        return _result(answer, challenge.username)

    def totp_user(self, access_token: str) -> tuple[str, bool]:
        """(the user the access token is for, whether they have TOTP set up): ``GetUser``, which Cognito refuses
        for a token revoked by sign-out (``NotSignedIn``)."""
        try:
            user = self.client.get_user(AccessToken=access_token)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NotAuthorizedException":
                raise NotSignedIn("access token refused") from None
            raise
        return str(user.get("Username", "")), "SOFTWARE_TOKEN_MFA" in (user.get("UserMFASettingList") or [])

    def totp_secret(self, access_token: str) -> str:
        """A new TOTP secret for the user's authenticator app (``AssociateSoftwareToken``)."""
        return str(self.client.associate_software_token(AccessToken=access_token)["SecretCode"])

    def enable_totp(self, access_token: str, code: str) -> None:
        """Check the app's first code and make TOTP the user's MFA from the next sign-in on."""
        try:
            answer = self.client.verify_software_token(AccessToken=access_token, UserCode=code,
                                                       FriendlyDeviceName="Lindungi")
            if answer.get("Status") != "SUCCESS":
                raise SignInRefused("portal.mfa_wrong")
            self.client.set_user_mfa_preference(
                AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
        except ClientError as error:
            raise _refused(error) from None

    def sign_out(self, access_token: str | None) -> None:
        """Revoke the user's tokens at Cognito (``GlobalSignOut``); a session already gone is fine."""
        if not access_token:
            return
        with contextlib.suppress(ClientError):  # expired or already revoked: the cookies are cleared all the same
            self.client.global_sign_out(AccessToken=access_token)


MFA_CHECK_SECONDS = 300.0
"""How long a warm container trusts one session's TOTP answer before asking Cognito again."""


@dataclass
class MfaCheck:
    """Whether a session of a role that needs TOTP belongs to a user who has it, on every request.

    The portal gives such roles a session only after a TOTP sign-in, but a token the user fetched from Cognito
    themselves (with only the password, before TOTP was set up) verifies like any other: so each request of
    those roles also asks ``GetUser`` with the session's access token (the same user, TOTP set up, not signed
    out). A user with TOTP is always challenged for a code, so their tokens came through it. Answers are kept
    ``MFA_CHECK_SECONDS`` per access token in the container."""

    cognito: Cognito
    seen: dict[str, tuple[float, str, bool]] = field(default_factory=dict)

    def holds(self, access_token: str | None, username: str, now: float | None = None) -> bool:
        if not access_token:
            return False
        now = time.monotonic() if now is None else now
        key = hashlib.sha256(access_token.encode()).hexdigest()
        found = self.seen.get(key)
        if found is None or found[0] < now:
            user, totp = self.cognito.totp_user(access_token)
            if len(self.seen) > 1000:
                self.seen.clear()
            found = self.seen[key] = (now + MFA_CHECK_SECONDS, user, totp)
        return found[1] == username and found[2]
