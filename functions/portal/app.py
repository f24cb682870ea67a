"""Portal: the staff portal behind the function URL (HTTP requests as payload 2.0 events) -> an HTML page.

The routes are ``lindungi.portal.web`` (Powertools' ``LambdaFunctionUrlResolver``); this adapter builds the
clients once per container, and never logs the event (its cookies are the session's tokens, its body a
password or a NIK).
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from lindungi.logs import get_logger, masked_errors
from lindungi.portal.auth import Cognito, Verifier, jwks_keys
from lindungi.portal.session import Portal
from lindungi.portal.web import resolve
from lindungi.settings import PortalSettings

logger = get_logger()
tracer = Tracer()

settings = PortalSettings.from_env()
portal = Portal(
    settings=settings,
    # SigV4 everywhere: presigned POSTs and GETs for the KMS-encrypted bucket need it.
    s3=boto3.client("s3", config=Config(signature_version="s3v4")),
    dynamodb=boto3.client("dynamodb"),
    cognito=Cognito(boto3.client("cognito-idp"), settings.client_id),
    verifier=Verifier(settings.issuer, settings.client_id, jwks_keys(settings.jwks_url)),
)


@masked_errors(logger)
@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(event, context, portal)
