"""Which language a page speaks: an explicit choice, else the signed-in user's;
for visitors the browser's best match; else the tenant's; else the default.

Templates translate with the catalogue of the plugin whose page is rendered
(its blueprint or FAB view), falling back to the kernel's and FAB's.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_translations
from flask_login import current_user

from mpanel.core.plugins.activation import request_plugin
from mpanel.web import filters


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


def _catalogues():
    """The request's plugin catalogue (if it has one), then the kernel's."""
    plugin = request_plugin() if has_request_context() else None
    if plugin is not None and plugin.domain is not None:
        yield plugin.domain.get_translations()
    yield get_translations()


def _gettext(text: str) -> str:
    for catalogue in _catalogues():
        translated = catalogue.ugettext(text)
        if translated != text:
            return translated
    return text


def _ngettext(singular: str, plural: str, n: int) -> str:
    for catalogue in _catalogues():
        translated = catalogue.ungettext(singular, plural, n)
        if translated not in (singular, plural):
            return translated
    return singular if n == 1 else plural


def install(app) -> None:
    app.extensions["babel"].locale_selector = select_locale
    # Jinja's newstyle gettext formats and escapes the variables; we only choose the catalogue.
    app.jinja_env.install_gettext_callables(gettext=_gettext, ngettext=_ngettext, newstyle=True)
    filters.install(app)
