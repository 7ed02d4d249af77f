"""Which language a page speaks: the signed-in user's, else the customer's or
the tenant's, else the browser's best match among the installed catalogues."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = list(current_app.config["LANGUAGES"])
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = request.args.get("_l_") or session.get("locale")
    if chosen in languages:
        return chosen
    user = current_user if current_user and getattr(current_user, "is_authenticated", False) else None
    candidates = [getattr(user, "locale", None)]
    tenant = g.get("tenant")
    candidates.append(tenant.locale if tenant else None)
    for candidate in candidates:
        if candidate in languages:
            return candidate
    return request.accept_languages.best_match(languages) or default


def install(app) -> None:
    app.extensions["babel"].locale_selector = select_locale
