"""Which language a page speaks: an explicit choice, else the signed-in user's;
for visitors the browser's best match; else the tenant's; else the default."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = list(current_app.config["LANGUAGES"])
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = request.args.get("_l_") or session.get("locale")
    signed_in = current_user and getattr(current_user, "is_authenticated", False)
    browser = None if signed_in else request.accept_languages.best_match(languages)
    tenant = g.get("tenant")
    for candidate in (chosen, getattr(current_user, "locale", None) if signed_in else None, browser,
                      tenant.locale if tenant else None):
        if candidate in languages:
            return candidate
    return default


def install(app) -> None:
    app.extensions["babel"].locale_selector = select_locale
