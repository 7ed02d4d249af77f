"""Security headers on every response; no caching of pages for signed-in users."""

from __future__ import annotations

from flask import request
from flask_login import current_user

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def _secure(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if "/login" in request.path or (current_user and getattr(current_user, "is_authenticated", False)):
        h["Cache-Control"] = "no-store"
    return response


def install(app) -> None:
    app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] == "production"
    app.after_request(_secure)
