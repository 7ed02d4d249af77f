"""Stripe's OpenAPI description: route table, form decoding and parameter checks.

The description is parsed once per process (``load()``); every request is then
matched against its path templates and its parameters are checked and converted
from form strings to the schema's types.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import yaml

DATA_DIR = Path(os.environ.get("STRIPE_OPENAPI_DIR", "/work/shared/stripe-openapi"))
# The 2023 description (API 2023-08-16) is the newest complete one; the 2022
# spec3.json describes API 2020-08-27 (PaymentIntent.charges, no latest_charge),
# which is further from what stripe-python 16 expects.
SPEC_FILE = DATA_DIR / "spec3-2023.yaml"
FIXTURES_FILE = DATA_DIR / "fixtures3-2023.json"

_FORM = "application/x-www-form-urlencoded"
_NO_PARAMS = {"type": "object", "properties": {}, "additionalProperties": False}
_INTEGER = re.compile(r"-?\d+")


class ParamError(Exception):
    """A request parameter that the operation does not accept."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    query: dict  # object schema of the query parameters
    body: dict  # object schema of the form body
    response: dict | None  # JSON schema of the 200 response


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern
    operations: dict[str, Operation]


class Spec:
    def __init__(self, doc: dict):
        self.version = doc["info"]["version"]
        self.schemas = doc["components"]["schemas"]
        self._json_schemas = {n: _json_schema(s) for n, s in self.schemas.items()}
        self._validators: dict[str, jsonschema.Draft4Validator] = {}
        # Literal templates win over parameterised ones (/search vs /{intent}).
        self.routes = sorted(
            (_route(t, item) for t, item in doc["paths"].items()),
            key=lambda r: r.template.count("{"),
        )

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def complete(self, value, schema: dict) -> None:
        """Add the nullable properties missing from ``value`` as None: Stripe always sends them."""
        schema = self._resolve(schema)
        if isinstance(value, dict):
            props = self._alternative(schema, "properties").get("properties", {})
            for name, prop in props.items():
                if name not in value and prop.get("nullable"):
                    value[name] = None
            for name, item in value.items():
                if name in props:
                    self.complete(item, props[name])
        elif isinstance(value, list):
            items = self._alternative(schema, "items").get("items", {})
            for item in value:
                self.complete(item, items)

    def response_errors(self, operation: Operation, body: dict) -> list[str]:
        """Where ``body`` disagrees with the operation's documented 200 response."""
        if operation.response is None:
            return []
        validator = self._validators.get(operation.operation_id)
        if validator is None:
            root = {**_json_schema(operation.response), "components": {"schemas": self._json_schemas}}
            validator = self._validators[operation.operation_id] = jsonschema.Draft4Validator(root)
        return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(body)]

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _alternative(self, schema: dict, keyword: str) -> dict:
        """The schema itself, or its first anyOf branch having ``keyword``."""
        for branch in [schema, *schema.get("anyOf", [])]:
            branch = self._resolve(branch)
            if keyword in branch:
                return branch
        return {}


@functools.cache
def load() -> Spec:
    with open(SPEC_FILE, "rb") as f:
        doc = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return Spec(doc)


@functools.cache
def fixtures() -> dict[str, dict]:
    return json.loads(FIXTURES_FILE.read_text())["resources"]


def _route(template: str, item: dict) -> Route:
    regex = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template))
    operations = {
        method: _operation(template, method, op) for method, op in item.items() if method in ("get", "post", "delete")
    }
    return Route(template, re.compile(regex), operations)


def _operation(template: str, method: str, op: dict) -> Operation:
    query = [p for p in op.get("parameters", []) if p["in"] == "query"]
    query_schema = {
        "type": "object",
        "properties": {p["name"]: p["schema"] for p in query},
        "required": [p["name"] for p in query if p.get("required")],
        "additionalProperties": False,
    }
    body = op.get("requestBody", {}).get("content", {}).get(_FORM, {}).get("schema", _NO_PARAMS)
    response = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
    return Operation(op["operationId"], method, template, query_schema, body, response.get("schema"))


def _json_schema(schema):
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable`` becomes a null branch, x-* keys go."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key.startswith("x-") or key == "nullable":
            continue
        if key == "properties":
            value = {name: _json_schema(s) for name, s in value.items()}
        elif key in ("items", "additionalProperties"):
            value = _json_schema(value)
        elif key in ("anyOf", "allOf", "oneOf"):
            value = [_json_schema(s) for s in value]
        out[key] = value
    return {"anyOf": [out, {"type": "null"}]} if schema.get("nullable") else out


def decode_form(pairs: list[tuple[str, str]]) -> dict:
    """``a[b][0]=x`` pairs -> nested dicts; ``[]`` appends. Index keys stay strings
    until ``convert`` knows from the schema whether the value is an array."""
    out: dict = {}
    for key, value in pairs:
        head, bracket, rest = key.partition("[")
        parts = [head, *re.findall(r"\[([^\]]*)\]", bracket + rest)]
        node = out
        for i, part in enumerate(parts):
            part = part or str(len(node))
            if i == len(parts) - 1:
                node[part] = value
            else:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
    return out


def convert(params: dict, schema: dict) -> dict:
    """Check decoded form ``params`` against an object ``schema`` and convert the
    strings to the schema's types. Raises ParamError like Stripe's 400s."""
    return _convert(params, schema, "")


def _convert(value, schema: dict, name: str):
    if "anyOf" in schema:
        return _convert_any(value, schema["anyOf"], name)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _convert_object(value, schema, name)
    if kind == "array":
        if isinstance(value, dict) and all(k.isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        if not isinstance(value, list):
            raise ParamError(name, f"Invalid array: {name}")
        return [_convert(v, schema.get("items", {}), f"{name}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, (dict, list)):
        raise ParamError(name, f"Invalid {kind or 'value'}: {name} must be a {kind or 'scalar'}")
    if kind == "integer":
        if not _INTEGER.fullmatch(value):
            raise ParamError(name, f"Invalid integer: {value}")
        return int(value)
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            raise ParamError(name, f"Invalid decimal: {value}") from None
    if kind == "boolean":
        if value not in ("true", "false"):
            raise ParamError(name, f"Invalid boolean: {value}")
        return value == "true"
    if "enum" in schema and value not in schema["enum"]:
        raise ParamError(name, f"Invalid {name}: must be one of {', '.join(map(str, schema['enum']))}")
    # Stripe's `anyOf: [..., {enum: [""]}]` means "post an empty string to unset".
    return None if schema.get("enum") == [""] else value


def _convert_object(value, schema: dict, name: str) -> dict:
    if not isinstance(value, dict):
        raise ParamError(name, f"Invalid object: {name} must be an object")
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    out = {}
    for key, item in value.items():
        param = f"{name}[{key}]" if name else key
        if key in props:
            out[key] = _convert(item, props[key], param)
        elif isinstance(extra, dict):
            out[key] = _convert(item, extra, param)
        elif props or extra is False:
            raise ParamError(param, f"Received unknown parameter: {param}")
        else:  # free-form hash
            out[key] = item
    for key in schema.get("required", []):
        if key not in value:
            param = f"{name}[{key}]" if name else key
            raise ParamError(param, f"Missing required param: {param}.")
    return out


def _convert_any(value, branches: list[dict], name: str):
    """First branch that accepts the value; otherwise the error of the branch
    whose shape (object/array/scalar) fits the value best."""
    errors = []
    for branch in branches:
        try:
            return _convert(value, branch, name)
        except ParamError as e:
            errors.append((_shape(branch) == _shape_of(value), e))
    raise max(errors, key=lambda fit_error: fit_error[0])[1]


def _shape(schema: dict) -> str:
    if schema.get("type") == "object" or "properties" in schema:
        return "object"
    return "array" if schema.get("type") == "array" else "scalar"


def _shape_of(value) -> str:
    return {dict: "object", list: "array"}.get(type(value), "scalar")
