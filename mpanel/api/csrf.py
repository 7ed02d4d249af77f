"""REST writes authenticated by the browser's session cookie carry the CSRF token.

A page on a sibling subdomain is same-site, so the cookie alone is no proof that
the signed-in person meant the write: without a valid ``X-CSRFToken`` header such a
write is refused (403). Calls that authenticate with an ``Authorization`` header
(JWT or API key) carry no ambient authority and pass unchanged, and so do the sign-in
calls, which authenticate by the credentials in their body and answer tokens, not cookies.
"""

from __future__ import annotations

from flask import request, session
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from mpanel.core.errors import FieldError

WRITES = ("POST", "PUT", "PATCH", "DELETE")
SIGN_IN = frozenset({"/api/v1/security/login", "/api/v1/security/login/mfa"})


def check_request() -> None:
    if request.method not in WRITES or not request.path.startswith("/api/") or request.path in SIGN_IN:
        return
    if request.headers.get("Authorization") or "_user_id" not in session:
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
    except ValidationError:
        raise FieldError("csrf", "send the page's CSRF token in the X-CSRFToken header", status=403) from None
