"""What every operation of the OpenAPI document says the same way: the error statuses
and their one body (``Error``), integer ids in paths, the pager's parameters on lists."""

from __future__ import annotations

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
    404: "Not found", 409: "The record's state refuses it", 413: "Body too large",
    415: "The body is not application/json", 422: "The database refuses the values",
}
WRITES = ("post", "put", "patch", "delete")
PAGER = [
    {"in": "query", "name": "page", "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {"in": "query", "name": "page_size", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
    {"in": "query", "name": "sort", "schema": {"type": "string", "default": "-id"},
     "description": "a column, -column for descending"},
]


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
    for method in methods:
        operation = operations.get(method.lower())
        if operation is None:
            continue
        _paths_as_integers(operation, path or "")
        if func.__name__ == "get_list" and hasattr(api, "datamodel"):
            operation["parameters"] = model_list_parameters(api)
        elif getattr(func, "_paged", False):
            named = {p.get("name") for p in operation.get("parameters", [])}
            operation.setdefault("parameters", []).extend(p for p in PAGER if p["name"] not in named)
        responses = operation.setdefault("responses", {})
        for status in list(responses):
            if int(status) in STATUSES or int(status) >= 500:
                del responses[status]
        statuses = [400, 401, 403, 404] if method.lower() == "get" else list(STATUSES)
        for status in statuses:
            responses[str(status)] = error_response(status)
