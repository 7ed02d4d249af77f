"""Field rules for customers, shared by forms and REST schemas."""

from __future__ import annotations

import phonenumbers
import pycountry
from flask import current_app
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat
from stdnum.gb import vat as gb_vat
from stdnum.no import mva as no_mva

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


# VAT ids outside the EU, by prefix: their country and python-stdnum's check.
NON_EU_VAT_IDS = {"CHE": ("CH", ch_vat), "NO": ("NO", no_mva), "GB": ("GB", gb_vat)}


def compact_vat_id(value: str) -> tuple[str, str] | None:
    """(country, compact id with its prefix) of a valid EU, Swiss, Norwegian or UK VAT id, else None."""
    if vat.is_valid(value):
        number = vat.compact(value)
        return {"EL": "GR", "XI": "GB"}.get(number[:2], number[:2]), number
    upper = value.upper().lstrip()
    for prefix, (country, module) in NON_EU_VAT_IDS.items():
        if upper.startswith(prefix) and module.is_valid(value):
            number = module.compact(value)
            return country, number if number.startswith(prefix) else prefix + number
    return None


def check_vat_id(value: str | None) -> str | None:
    """EU, Swiss (CHE...), Norwegian (NO...MVA) and UK (GB...) VAT ids: format and check digits
    (python-stdnum, per country); empty is allowed."""
    if not value:
        return None
    checked = compact_vat_id(value)
    if checked is None:
        raise ValueError(f"{value!r} is not a valid VAT identification number (EU, CH, NO or GB)")
    return checked[1]


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
