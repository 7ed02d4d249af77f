"""JSON errors for REST paths, plain pages elsewhere; never a stack trace."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from mpanel.core.tenancy import TenantScopeError


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _http_error(exc: HTTPException):
    if not _wants_json():
        return exc
    response = jsonify(message=exc.description or exc.name)
    response.status_code = exc.code
    for key in ("Retry-After",):
        if exc.get_response().headers.get(key):
            response.headers[key] = exc.get_response().headers[key]
    return response


def _scope_error(exc: TenantScopeError):
    # Reaching tenant data without a tenant is a client addressing error (wrong
    # host or token), never a reason to show anything: answer "not found".
    if _wants_json():
        return jsonify(message="Not found"), 404
    return "Not found", 404


def _json_body_is_an_object():
    """REST bodies are JSON objects: refuse anything else before an endpoint reads it."""
    if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH") \
            or not request.is_json or not request.get_data():
        return None
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        what = "valid JSON" if body is None and request.get_data().strip() != b"null" else "a JSON object"
        return jsonify(message={"body": [f"the request body must be {what}"]}), 400
    return None


def install(app) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(TenantScopeError, _scope_error)
    app.before_request(_json_body_is_an_object)
