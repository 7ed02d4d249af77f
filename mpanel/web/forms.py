"""Form pieces shared by every admin and client form: adapters that turn one
field rule (``check(value)`` raising ValueError) into a WTForms or marshmallow
validator, and the fields for amounts and ISO codes."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

import pycountry
from babel import Locale
from babel.numbers import get_decimal_symbol
from flask import current_app, has_app_context
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_babel import get_locale
from flask_babel import lazy_gettext as _
from marshmallow import ValidationError as SchemaError
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError as FormError

from mpanel.core.money import exponent, parse_amount


def form_rule(check):
    def validator(form, field):
        try:
            check(field.data)
        except ValueError as exc:
            raise FormError(str(exc)) from None

    return validator


def schema_rule(check):
    def validator(value):
        try:
            check(value)
        except ValueError as exc:
            raise SchemaError(str(exc)) from None

    return validator


def _viewer_locale() -> Locale:
    return (get_locale() if has_app_context() else None) or Locale.parse("en")


def shown_decimal(value: Decimal, currency: str | None = None, locale=None) -> str:
    """A decimal as a person edits it: the locale's decimal sign, no grouping, every
    stored digit kept and at least the currency's places ("9,99", "9,975", "1234,5000" -> "1234,50")."""
    digits = -min(value.normalize().as_tuple().exponent, 0)
    places = max(digits, exponent(currency) if currency else 0)
    text = f"{value:.{places}f}"
    return text.replace(".", get_decimal_symbol(locale or _viewer_locale()))


class AmountField(StringField):
    """An amount (or rate) typed the way the session's locale writes it ("9,99" in
    German, "9.99" everywhere); parsed by :func:`mpanel.core.money.parse_amount`,
    never rounded. ``currency`` (set by the view for a row that has one) decides
    the places shown."""

    widget = BS3TextFieldWidget()

    def __init__(self, label=None, validators=None, currency: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.currency = currency

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = parse_amount(text)
        except ValueError:
            self.data = None
            raise ValueError(_("Enter a number, e.g. %(example)s", example=shown_decimal(Decimal("9.99")))) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None or self.data == "":
            return ""
        try:
            return shown_decimal(Decimal(self.data), self.currency)
        except (ArithmeticError, ValueError, TypeError):
            return str(self.data)


def fits_column(precision: int | None, scale: int | None):
    """A validator: the number fits ``Numeric(precision, scale)`` without rounding."""

    def validator(form, field):
        value = field.data
        if not isinstance(value, Decimal) or precision is None:
            return
        places = -min(value.normalize().as_tuple().exponent, 0)
        if scale is not None and places > scale:
            raise FormError(_("At most %(places)s decimal places", places=scale))
        if abs(value) >= Decimal(10) ** (precision - (scale or 0)):
            raise FormError(_("Must be less than %(limit)s", limit=10 ** (precision - (scale or 0))))

    return validator


def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda choice: choice[1])


def currency_choices() -> list[tuple[str, str]]:
    return sorted((c.alpha_3, f"{c.alpha_3} – {c.name}") for c in pycountry.currencies)


def language_choices() -> list[tuple[str, str]]:
    codes = current_app.config.get("LANGUAGES") or ["en"]
    return [(code, Locale.parse(code).get_display_name(_viewer_locale()) or code) for code in codes]


def timezone_choices() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


class CodeSelectField(SelectField):
    """A select of codes (choices computed when the form is built), stored in their
    canonical spelling ("de" -> "DE" for a country). The first entry is empty: it stores
    NULL where the column allows it and is refused where a value is required, so a form
    never saves the first code of the list unasked. With ``validate_choice=False`` the view's own rule
    judges (and names) a value that is not among the choices."""

    widget = Select2Widget()

    def __init__(self, label=None, validators=None, choices=None, spelling=str, **kwargs):
        def listed():
            return [("", ""), *choices()]

        def coerce(value):
            return spelling(value.strip()) if isinstance(value, str) and value.strip() else None

        super().__init__(label, validators, choices=listed, coerce=coerce, **kwargs)


# Column name -> (choices, canonical spelling): the codes a form offers as a select.
CODE_CHOICES = {"country": (country_choices, str.upper), "currency": (currency_choices, str.upper),
                "language": (language_choices, str.lower), "locale": (language_choices, str.lower),
                "timezone": (timezone_choices, str), "time_zone": (timezone_choices, str)}


def typed_amount(text, field: str = "amount", required: bool = True) -> Decimal | None:
    """An amount typed into a page's own form, in the session's locale (``None`` if empty
    and not required); anything else is a :class:`FieldError` naming the field."""
    from mpanel.core.errors import FieldError

    if not (text or "").strip() and not required:
        return None
    try:
        return parse_amount(text)
    except ValueError as exc:
        raise FieldError(field, str(exc)) from None
