"""Field rules for customers, shared by forms and REST schemas."""

from __future__ import annotations

import phonenumbers
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


def _parse_phone(value: str, region: str | None, strict: bool = False):
    try:
        number = phonenumbers.parse(value, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    known = phonenumbers.is_valid_number if strict else phonenumbers.is_possible_number
    if number is None or not known(number):
        raise ValueError(f"{value!r} is not a phone number: write it as +country code and number, "
                         "e.g. +49 30 1234567")
    return number


def check_phone(value: str | None, region: str | None = None) -> str | None:
    """Stored form: E.164 ("+49301234567"); a number without "+" is read as one of
    ``region`` (the customer's country), when given; empty is allowed."""
    if not value:
        return None
    number = _parse_phone(value, region, strict=True)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def registry_phone(value: str, region: str | None = None) -> str:
    """The ``+CC.NUMBER`` form domain registries want (RFC 5733), from any spelling
    (of a plausible length: registries judge numbers themselves)."""
    number = _parse_phone(value, region)
    return f"+{number.country_code}.{phonenumbers.national_significant_number(number)}"


RULES = {"phone": check_phone, "country": check_country, "currency": check_currency, "language": check_language,
         "vat_id": check_vat_id}
