"""Security headers on every response; no caching of sign-in pages, signed-in
pages or API answers.

Scripts run only from our own origin or with the per-request nonce (FAB's
templates put ``csp_nonce()`` on their inline scripts), so no inline script is
allowed; styles keep ``'unsafe-inline'`` because FAB's templates use style
attributes, which a nonce cannot cover.
"""

from __future__ import annotations

import secrets

from flask import g, request
from flask_login import current_user

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'{nonce}; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
NO_STORE_PATHS = ("/login", "/security/", "/api/")


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _signed_in() -> bool:
    user = g.get("user") or current_user
    return bool(user) and getattr(user, "is_authenticated", False)


def _secure(response):
    h = response.headers
    nonce = f" 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else ""
    h.setdefault("Content-Security-Policy", CSP.format(nonce=nonce))
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if request.path.startswith(NO_STORE_PATHS) or _signed_in():
        h["Cache-Control"] = "no-store"
    return response


def install(app) -> None:
    app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] == "production"
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_secure)
