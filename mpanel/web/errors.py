"""JSON errors for REST paths, plain pages elsewhere; never a stack trace.

REST errors have the dialect's one shape (:mod:`mpanel.api.errors`); a NUL byte in
a form field or query parameter (no database stores it) is a 400 everywhere.
"""

from __future__ import annotations

import logging

from flask import jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException

from mpanel.api import body, csrf, tokens
from mpanel.api.base import REQUEST
from mpanel.core.errors import FieldError
from mpanel.core.storage import StorageError
from mpanel.core.tenancy import TenantScopeError

log = logging.getLogger(__name__)
STORAGE_RETRY_SECONDS = 60


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _http_error(exc: HTTPException):
    if not _wants_json():
        return exc
    response = jsonify(message={REQUEST: [exc.description or exc.name]})
    response.status_code = exc.code
    for key in ("Retry-After", "Allow"):
        if exc.get_response().headers.get(key):
            response.headers[key] = exc.get_response().headers[key]
    return response


def _scope_error(exc: TenantScopeError):
    # Reaching tenant data without a tenant is a client addressing error (wrong
    # host or token), never a reason to show anything: answer "not found".
    if _wants_json():
        return jsonify(message={REQUEST: ["not found"]}), 404
    return "Not found", 404


def _field_error(exc: FieldError):
    """Raised before an endpoint runs (the body check): the one error shape."""
    if _wants_json():
        return jsonify(message=exc.as_messages()), exc.status
    return exc.message, exc.status


def _storage_error(exc: StorageError):
    """The object store failed or gave back other bytes than were stored: the
    operator must look (logged as an error), the client may try again later."""
    log.error("storage error serving %s: %s", request.path, exc)
    message = "The document store is not available at the moment; please try again later."
    headers = {"Retry-After": str(STORAGE_RETRY_SECONDS)}
    if _wants_json():
        return jsonify(message={REQUEST: [message]}), 503, headers
    return message, 503, headers


def _no_nul_bytes():
    forms = [request.form] if request.mimetype == "application/x-www-form-urlencoded" else []
    for values in [request.args, *forms]:
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise BadRequest("Text must not contain NUL characters.")


def install(app) -> None:
    tokens.install(app)  # JWT refusals in the same shape
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(TenantScopeError, _scope_error)
    app.register_error_handler(FieldError, _field_error)
    app.register_error_handler(StorageError, _storage_error)
    # First of all hooks: the login throttle and FAB read the body and the form too.
    app.before_request_funcs.setdefault(None, [])[:0] = [_no_nul_bytes, csrf.check_request, body.check_request]
