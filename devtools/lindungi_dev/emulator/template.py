"""template.yaml, read as CloudFormation would: the ``Stack`` of local names, ARNs and parameters.

``load_template`` reads it through cfn-lint's decoder (``!Ref``/``!Sub``/``!GetAtt`` arrive as intrinsics);
``Stack`` resolves them against what ``provision`` created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "template.yaml"
ACCOUNT = "123456789012"
REGION = "ap-southeast-3"  # Jakarta
STACK = "lindungi-local"


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml as a plain dict, intrinsic functions in their long form ({"Ref": ...})."""
    from cfnlint.decode import decode_str

    template, matches = decode_str(path.read_text(encoding="utf-8"))
    if template is None:
        raise ValueError(f"{path}: {matches}")
    return json.loads(json.dumps(template))


@dataclass
class Stack:
    """The template's resources as created locally: logical id -> physical name, ARN and attributes."""

    template: dict[str, Any]
    name: str = STACK
    account: str = ACCOUNT
    region: str = REGION
    physical_ids: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    """Parameter values, as ``sam deploy --parameter-overrides`` gives them; the template's defaults otherwise."""
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Other ``!GetAtt`` attributes of what was created: a user pool's ``ProviderURL``, a function URL's
    ``FunctionUrl`` (once served)."""

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.template["Resources"])

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == kind}

    def physical(self, logical_id: str) -> str:
        """Bucket or table name, queue URL, topic ARN: what ``!Ref`` gives for that resource."""
        return self.physical_ids[logical_id]

    def arn(self, logical_id: str) -> str:
        return self.arns[logical_id]

    def parameter(self, name: str) -> str:
        declared = self.template.get("Parameters", {})[name]  # KeyError: not a parameter of the template
        return self.overrides.get(name, str(declared.get("Default", "")))

    # -- intrinsic functions -------------------------------------------------------------------
    def _pseudo(self, name: str) -> str | None:
        return {
            "AWS::StackName": self.name, "AWS::AccountId": self.account, "AWS::Region": self.region,
            "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
        }.get(name)

    def _ref(self, name: str) -> str:
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        if name in self.physical_ids:
            return self.physical_ids[name]
        if self.resources.get(name, {}).get("Type") == "AWS::Logs::LogGroup":
            return str(self.resolve(self.resources[name]["Properties"]["LogGroupName"]))
        if name in self.resources:  # a function, layer or role: its local name
            return f"{self.name}-{name}"
        raise KeyError(f"!Ref {name}: not in template.yaml")

    def _get_att(self, logical_id: str, attribute: str) -> str:
        if attribute in self.attributes.get(logical_id, {}):
            return self.attributes[logical_id][attribute]
        if attribute == "Arn":
            if logical_id in self.arns:
                return self.arns[logical_id]
            kind = self.resources[logical_id]["Type"]
            if kind == "AWS::Serverless::Function":
                return f"arn:aws:lambda:{self.region}:{self.account}:function:{self._ref(logical_id)}"
            if kind == "AWS::KMS::Key":  # not created (a stack read without provisioning): its ARN's shape
                return f"arn:aws:kms:{self.region}:{self.account}:key/{self._ref(logical_id)}"
        if attribute == "QueueName":
            return self.physical_ids[logical_id].rsplit("/", 1)[-1]
        if attribute == "TopicName":
            return self.physical_ids[logical_id].rsplit(":", 1)[-1]
        raise KeyError(f"!GetAtt {logical_id}.{attribute}: not emulated")

    def condition(self, name: str) -> bool:
        """The template's condition ``name``, evaluated with the stack's parameters."""
        return self._holds(self.template.get("Conditions", {})[name])

    def _holds(self, expression: Any) -> bool:
        (key, arg), = expression.items()
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::Equals":
            return bool(str(self.resolve(arg[0])) == str(self.resolve(arg[1])))
        if key == "Fn::Not":
            return not self._holds(arg[0])
        if key in {"Fn::And", "Fn::Or"}:
            return (all if key == "Fn::And" else any)(self._holds(a) for a in arg)
        raise KeyError(f"condition {key}: not emulated")

    def resolve(self, value: Any) -> Any:
        """Evaluate the intrinsic functions in ``value`` against the local stack."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Fn::If":
                return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self._get_att(logical, attribute)
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return self._sub(text, {k: self.resolve(v) for k, v in variables.items()})
            if key == "Fn::Join":
                return str(arg[0]).join(str(self.resolve(v)) for v in arg[1])
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        out, rest = [], text
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, _, rest = after.partition("}")
            out.append(before)
            if name in variables:
                out.append(str(variables[name]))
            elif "." in name and not name.startswith("AWS::"):
                out.append(self._get_att(*name.split(".", 1)))
            else:
                out.append(self._ref(name))
        return "".join(out) + rest

    # -- functions -----------------------------------------------------------------------------
    def function_properties(self, logical_id: str) -> dict[str, Any]:
        globals_ = self.template.get("Globals", {}).get("Function", {})
        return {**globals_, **self.resources[logical_id]["Properties"]}

    def function_env(self, logical_id: str) -> dict[str, str]:
        """The Environment.Variables the template sets for a function, Globals merged, intrinsics resolved."""
        globals_ = self.template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        own = self.resources[logical_id]["Properties"].get("Environment", {}).get("Variables", {})
        return {k: str(self.resolve(v)) for k, v in {**globals_, **own}.items()}

    def functions(self) -> dict[str, dict[str, Any]]:
        return self.of_type("AWS::Serverless::Function")

    def url_functions(self) -> list[str]:
        """The functions served at a function URL (``FunctionUrlConfig``), in the template's order."""
        return [f for f in self.functions() if "FunctionUrlConfig" in self.function_properties(f)]
