"""The template's Cognito user pools, app clients and groups, in moto; staff accounts made as an administrator does.

``provision`` creates each ``AWS::Cognito::UserPool``, ``AWS::Cognito::UserPoolClient`` and
``AWS::Cognito::UserPoolGroup`` of template.yaml (their properties passed as the API takes them: the
CloudFormation names are the API's, but ``UserPoolName``, and properties the API has no member for, such as
``EnabledMfas``, are set by their own call or left out), and records their ids so ``!Ref`` and ``!GetAtt`` resolve.
moto's server then answers ``cognito-idp`` and serves each pool's keys at ``<endpoint>/<pool id>/.well-known/
jwks.json`` (its ``iss`` stays ``https://cognito-idp.<region>.amazonaws.com/<pool id>``, as AWS signs it).

``create_user`` is ``AdminCreateUser`` with a first (temporary) password and the user's groups, as an
administrator makes a staff account; the first sign-in then meets ``NEW_PASSWORD_REQUIRED``.

TOTP: moto checks the codes only with ``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true`` (``TOTP_CHECKED``), which the
emulator sets; it then hands every user the same secret (``AssociateSoftwareToken``) and checks codes against it.
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

    from .template import Stack

TOTP_CHECKED = {"MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true"}


def _api_args(client: Any, operation: str, props: dict[str, Any]) -> dict[str, Any]:
    """The properties the API operation has a member for (botocore's own model says which)."""
    members = client.meta.service_model.operation_model(operation).input_shape.members
    return {k: v for k, v in props.items() if k in members}


def provision(session: boto3.Session, stack: Stack) -> None:
    """Every user pool, app client and group of the template (pools first: the others name theirs)."""
    if not stack.of_type("AWS::Cognito::UserPool"):
        return
    cognito: Any = session.client("cognito-idp")
    for logical_id, resource in stack.of_type("AWS::Cognito::UserPool").items():
        props = stack.resolve(resource.get("Properties", {}))
        name = props.pop("UserPoolName", None) or f"{stack.name}-{logical_id}"
        if "UserPoolTags" in props and isinstance(props["UserPoolTags"], list):
            props["UserPoolTags"] = {t["Key"]: t["Value"] for t in props["UserPoolTags"]}
        pool = cognito.create_user_pool(PoolName=name, **_api_args(cognito, "CreateUserPool", props))["UserPool"]
        if "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", []) and props.get("MfaConfiguration", "OFF") != "OFF":
            cognito.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration=props["MfaConfiguration"],
                                             SoftwareTokenMfaConfiguration={"Enabled": True})
        stack.physical_ids[logical_id] = pool["Id"]
        stack.arns[logical_id] = pool["Arn"]
        stack.attributes[logical_id] = {
            "ProviderName": f"cognito-idp.{stack.region}.amazonaws.com/{pool['Id']}",
            "ProviderURL": f"https://cognito-idp.{stack.region}.amazonaws.com/{pool['Id']}",
            "UserPoolId": pool["Id"],
        }
    for logical_id, resource in stack.of_type("AWS::Cognito::UserPoolClient").items():
        props = stack.resolve(resource.get("Properties", {}))
        client = cognito.create_user_pool_client(**_api_args(cognito, "CreateUserPoolClient", props))["UserPoolClient"]
        stack.physical_ids[logical_id] = client["ClientId"]
        stack.attributes[logical_id] = {"ClientId": client["ClientId"], "Name": client["ClientName"]}
        if client.get("ClientSecret"):
            stack.attributes[logical_id]["ClientSecret"] = client["ClientSecret"]
    for logical_id, resource in stack.of_type("AWS::Cognito::UserPoolGroup").items():
        props = stack.resolve(resource.get("Properties", {}))
        group = cognito.create_group(**_api_args(cognito, "CreateGroup", props))["Group"]
        stack.physical_ids[logical_id] = group["GroupName"]


def groups(stack: Stack) -> dict[str, str]:
    """Group name -> the user pool id it belongs to, as provisioned."""
    return {stack.physical(g): stack.resolve(r["Properties"]["UserPoolId"])
            for g, r in stack.of_type("AWS::Cognito::UserPoolGroup").items()}


def temporary_password(length: int = 14) -> str:
    """A first password meeting Cognito's default policy (upper, lower, digit, symbol), random each time."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(length - 1))
        if any(c.isupper() for c in body) and any(c.islower() for c in body) and any(c.isdigit() for c in body):
            return body + secrets.choice("!#%+=?")


def create_user(session: boto3.Session, stack: Stack, username: str, groups_: list[str],
                attributes: dict[str, str] | None = None, password: str | None = None) -> str:
    """An administrator's ``AdminCreateUser`` (no invitation message) in the pool of ``groups_``, added to them;
    returns the first (temporary) password, to be changed at the first sign-in."""
    pools = groups(stack)
    pool_ids = {pools[g] for g in groups_}
    if len(pool_ids) != 1:
        raise ValueError(f"groups {groups_} are not of one user pool")
    pool_id = pool_ids.pop()
    password = password or temporary_password()
    cognito: Any = session.client("cognito-idp")
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword=password, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()])
    for group in groups_:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    return password
