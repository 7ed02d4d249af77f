"""Jinja filters every page, PDF and mail shares: ``{{ amount|money(currency) }}``,
``{{ rate|number }}`` and ``{{ value|blank }}``, in the locale in force (the
viewer's on pages, the document's inside ``force_locale``)."""

from __future__ import annotations

from flask import has_app_context
from flask_babel import get_locale

from mpanel.core.money import format_money, format_number


def _current(locale):
    return locale or (get_locale() if has_app_context() else None)


def money(amount, currency: str, locale=None) -> str:
    return format_money(amount, currency, _current(locale))


def number(value, locale=None) -> str:
    return format_number(value, _current(locale))


def blank(value) -> str:
    """An empty value shown empty, never "None"."""
    return "" if value is None else value


def install(app) -> None:
    app.jinja_env.filters.update(money=money, number=number, blank=blank)
