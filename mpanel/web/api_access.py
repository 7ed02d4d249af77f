"""API-wide rate limits and CORS, per tenant.

Every ``/api/`` request counts against one limit (flask-limiter's storage, Redis in
production): an API key's, else a signed-in user's (JWT), else the client address's.
The sign-in and token endpoints keep their own, stricter throttles. Over the limit the
answer is ``429`` with ``Retry-After``. A tenant may set its own limit (settings
namespace ``api``, ``rate_limit``, e.g. ``"1000 per minute"``); otherwise
``API_RATE_LIMIT`` (identified callers) and ``API_ANONYMOUS_RATE_LIMIT`` (by address) apply.

CORS is off unless the tenant lists its integrators' browser origins (``cors_origins``):
only those get ``Access-Control-Allow-Origin``, never with credentials, so browsers send
no cookies cross-origin and a bearer token is the only way in.
"""

from __future__ import annotations

import math
import time

from flask import current_app, g, jsonify, request
from limits import parse

from mpanel.core.security.hashing import digest
from mpanel.core.security.tokens import bearer_claims
from mpanel.core.settings import get_settings
from mpanel.core.tenancy import current_tenant_id

NAMESPACE = "api"
TENANT_DEFAULTS = {"rate_limit": "", "cors_origins": []}
OWN_THROTTLES = ("/api/v1/security/login", "/api/v1/security/refresh")
CORS_HEADERS = "Authorization, Content-Type"
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE"


def check_limit(value: str) -> str:
    """A limit string flask-limiter understands ("100 per minute"), else ValueError."""
    parse(value)
    return value


def _settings() -> dict:
    if "mpanel_api_settings" not in g:
        from mpanel.extensions import db

        g.mpanel_api_settings = (get_settings(db.session, NAMESPACE, TENANT_DEFAULTS)
                                 if current_tenant_id() is not None else dict(TENANT_DEFAULTS))
    return g.mpanel_api_settings


def _caller() -> str | None:
    """The API key's or JWT user's identity, None for an anonymous caller."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    raw = header[7:].strip()
    if raw.startswith(current_app.config.get("FAB_API_KEY_PREFIXES", ["mpk_"])[0]):
        return "key:" + digest(raw)
    claims = bearer_claims()
    return f"user:{claims['sub']}" if claims else None


def _limited():
    if not request.path.startswith("/api/") or request.path.startswith(OWN_THROTTLES) \
            or request.method == "OPTIONS":
        return None
    caller = _caller()
    config = current_app.config
    text = _settings().get("rate_limit") or (config["API_RATE_LIMIT"] if caller else config["API_ANONYMOUS_RATE_LIMIT"])
    item = parse(text)
    who = caller or f"ip:{request.remote_addr}"
    identifiers = (config.get("RATELIMIT_KEY_PREFIX", ""), "api", str(current_tenant_id()), who)
    strategy = current_app.extensions["mpanel_limiter"].limiter
    if strategy.hit(item, *identifiers):
        return None
    reset_at = strategy.get_window_stats(item, *identifiers).reset_time
    retry = max(1, math.ceil(reset_at - time.time()))
    response = jsonify(message=f"Too many requests: the limit is {text}. Retry in {retry} s.")
    response.status_code, response.headers["Retry-After"] = 429, str(retry)
    return response


def _allowed_origin() -> str | None:
    origin = request.headers.get("Origin")
    if not origin or not request.path.startswith("/api/"):
        return None
    return origin if origin in (_settings().get("cors_origins") or ()) else None


def _preflight():
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    response = current_app.response_class(status=204)
    if _allowed_origin():
        response.headers.update({"Access-Control-Allow-Methods": CORS_METHODS,
                                 "Access-Control-Allow-Headers": CORS_HEADERS, "Access-Control-Max-Age": "600"})
    return response


def _cors(response):
    origin = _allowed_origin()
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers.add("Vary", "Origin")
    return response


def install(app, limiter) -> None:
    """After tenant resolution (the tenant's settings apply) and before FAB's views."""
    app.extensions["mpanel_limiter"] = limiter
    app.before_request(_preflight)
    app.before_request(_limited)
    app.after_request(_cors)
