"""Field rules for customers, shared by forms and REST schemas."""

from __future__ import annotations

import pycountry
from flask import current_app
from stdnum.eu import vat

from mpanel.core.money import CurrencyError, validate_currency


def check_country(value: str) -> str:
    if not value or pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 country code")
    return value.upper()


def check_currency(value: str) -> str:
    try:
        return validate_currency(value)
    except CurrencyError as exc:
        raise ValueError(str(exc)) from None


def check_language(value: str) -> str:
    if value not in current_app.config["LANGUAGES"]:
        raise ValueError(f"{value!r} is not one of {', '.join(current_app.config['LANGUAGES'])}")
    return value


def check_vat_id(value: str | None) -> str | None:
    """EU VAT ids: format and check digits (python-stdnum); empty is allowed."""
    if not value:
        return None
    if not vat.is_valid(value):
        raise ValueError(f"{value!r} is not a valid EU VAT identification number")
    return vat.compact(value)


RULES = {"country": check_country, "currency": check_currency, "language": check_language, "vat_id": check_vat_id}
