"""What every operation of the OpenAPI document says the same way: the error statuses
and their one body (``Error``), integer ids in paths, the pager's parameters on lists.

Hand-written endpoints declare their request and response schemas with
:func:`documented`; their operation is generated from those marshmallow schemas
(no YAML in docstrings) and the endpoint parses its body through the same schema
(``json_body(Schema())``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from marshmallow import Schema, fields

ERROR = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {
        "type": "object",
        "description": "field (or body / request / csrf) -> messages; nested fields nest",
        "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
    }},
}
STATUSES = {
    400: "Bad input, every field named", 401: "Not signed in", 403: "Not allowed (or no CSRF token)",
    404: "Not found", 405: "Method not allowed (also a path id that is not an integer from 1 to 2^31-1)",
    409: "The record's state refuses it", 413: "Body too large",
    415: "The body is not application/json", 422: "The database refuses the values",
    429: "Too many requests (see Retry-After)",
}
WRITES = ("post", "put", "patch", "delete")
PAGER = [
    {"in": "query", "name": "page", "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {"in": "query", "name": "page_size", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
    {"in": "query", "name": "sort", "schema": {"type": "string", "default": "-id"},
     "description": "a column, -column for descending"},
]


@dataclass(frozen=True)
class Doc:
    request: type[Schema] | None
    response: type[Schema] | None
    status: int
    content: str
    filters: dict = field(default_factory=dict)
    body_required: bool = True
    security: tuple = ()


def documented(*, request: type[Schema] | None = None, response: type[Schema] | None = None, status: int = 200,
               content: str = "application/json", filters: dict | None = None, body_required: bool = True,
               security: list | None = None):
    """Declare an endpoint's operation: ``request`` (the body's schema, for writes),
    ``response`` (the schema of the ``status`` answer's body, or None with a non-JSON
    ``content`` type such as ``application/pdf``) and the list ``filters`` it takes
    (query parameter -> ``int``, ``bool``, a tuple of values or None for text); ``security``
    for an endpoint that authenticates without FAB's ``protect`` (e.g. the refresh token)."""

    def mark(fn):
        fn._doc = Doc(request, response, status, content, dict(filters or {}), body_required, tuple(security or ()))
        return fn

    return mark


class NoBody(Schema):
    """The body of an action that reads none: empty (or ``{}``); any field is refused."""


_ENVELOPES: dict = {}


def _envelope(schema: type[Schema], kind: str) -> type[Schema]:
    key = (schema, kind)
    if key not in _ENVELOPES:
        name = schema.__name__.removesuffix("Schema")
        nested = fields.Nested(schema, required=True)
        attrs = ({"result": nested} if kind == "Result" else
                 {"count": fields.Integer(required=True), "result": fields.List(nested, required=True)})
        _ENVELOPES[key] = type(f"{name}{kind}Schema", (Schema,), attrs)
    return _ENVELOPES[key]


def result(schema: type[Schema]) -> type[Schema]:
    """``{"result": <schema>}``, the answer of a get or an action."""
    return _envelope(schema, "Result")


def page_of(schema: type[Schema]) -> type[Schema]:
    """``{"count": total, "result": [<schema>, ...]}``, the answer of a paged list."""
    return _envelope(schema, "Page")


def _summary(func) -> str:
    return (func.__doc__ or "").strip().split("\n")[0]


_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path_parameters(func, path: str) -> list[dict]:
    kinds = {}
    for url, _ in getattr(func, "_urls", ()):
        for converter, name in _CONVERTER.findall(url):
            kinds[name] = converter
    parameters = []
    for name in re.findall(r"{(\w+)}", path):
        schema = ({"type": "integer", "minimum": 1} if kinds.get(name) == "int" or name == "pk"
                  else {"type": "string", "minLength": 1, "maxLength": 255})
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    return parameters


def _generate(api, path: str, method: str, func, doc: Doc) -> dict:
    from .body import WRITES as BODY_WRITES

    operation: dict = {"summary": _summary(func), "parameters": _path_parameters(func, path)}
    operation["parameters"] += [{"in": "query", "name": name, "schema": _filter_schema(kind)}
                                for name, kind in doc.filters.items()]
    if doc.security:
        operation["security"] = list(doc.security)
    elif api.get_method_permission(func.__name__):
        operation["security"] = [{"jwt": []}, {"api_key": []}]
    accepted = sorted(getattr(func, "_accepts", ()))
    if (doc.request is not None or accepted) and method.upper() in BODY_WRITES:
        content = {"application/json": {"schema": doc.request}} if doc.request is not None else {}
        for mimetype in accepted:
            content[mimetype] = {"schema": {"type": "string", "format": "binary"}}
        operation["requestBody"] = {"required": doc.body_required, "content": content}
    schema = doc.response if doc.response is not None else {"type": "string", "format": "binary"}
    operation["responses"] = {str(doc.status): {"description": _summary(func) or "OK",
                                                "content": {doc.content: {"schema": schema}}}}
    return operation


def error_response(status: int) -> dict:
    return {"description": STATUSES[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def add_components(spec) -> None:
    if "Error" not in spec.components.schemas:
        spec.components.schema("Error", ERROR)


def _paths_as_integers(operation: dict, path: str) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("name") == "pk":
            parameter["schema"] = {"type": "integer", "minimum": 1}
    named = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "path"}
    if "{pk}" in path and "pk" not in named:
        operation.setdefault("parameters", []).append(
            {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer", "minimum": 1}})


def _fab_answers(operation: dict) -> None:
    """What FAB documents of its CRUD answers, as they are: ids are integers (not
    strings), ``_info``'s ``add_columns`` / ``edit_columns`` are lists of fields."""
    for status, answer in operation.get("responses", {}).items():
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if not isinstance(schema, dict):
            continue
        properties = schema.get("properties", {}) if str(status).startswith("2") else {}
        if "ids" in properties:
            properties["ids"] = {"type": "array", "items": {"type": "integer"}}
        if properties.get("id", {}).get("type") == "string":
            properties["id"] = {"type": "integer"}
        for name in ("add_columns", "edit_columns"):
            if name in properties:
                properties[name] = {"type": "array", "items": {"type": "object"}}


def model_list_parameters(api) -> list[dict]:
    from .paging import model_filters

    filters = model_filters(api.datamodel.obj, api.search_columns)
    return [*PAGER, *({"in": "query", "name": name, "schema": _filter_schema(kind)}
                      for name, (_, kind) in filters.items())]


def _filter_schema(kind) -> dict:
    if kind is int:
        return {"type": "integer", "minimum": 0}
    if kind is bool:
        return {"type": "boolean"}
    return {"type": "string", "enum": list(kind)} if kind else {"type": "string", "maxLength": 500}


def complete(api, path, operations, methods, func) -> None:
    """Fill in what the dialect says for every operation FAB built from ``func``."""
    doc = getattr(func, "_doc", None)
    for method in methods:
        if doc is not None:
            operations[method.lower()] = _generate(api, path or "", method.lower(), func, doc)
        operation = operations.get(method.lower())
        if operation is None:
            continue
        _paths_as_integers(operation, path or "")
        if doc is None and hasattr(api, "datamodel"):
            _fab_answers(operation)
        if func.__name__ == "get_list" and hasattr(api, "datamodel"):
            operation["parameters"] = model_list_parameters(api)
        elif getattr(func, "_paged", False):
            named = {p.get("name") for p in operation.get("parameters", [])}
            operation.setdefault("parameters", []).extend(p for p in PAGER if p["name"] not in named)
        responses = operation.setdefault("responses", {})
        for status in list(responses):
            if int(status) in STATUSES or int(status) >= 500:
                del responses[status]
        statuses = [400, 401, 403, 404, 405, 429] if method.lower() == "get" else list(STATUSES)
        for status in statuses:
            responses[str(status)] = error_response(status)
