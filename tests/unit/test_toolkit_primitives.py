"""The kernel toolkit's primitives: one error type, money formatting and parsing."""

from decimal import Decimal

import pytest

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import format_money, format_number, parse_amount


def test_field_error_names_one_or_several_fields():
    one = FieldError("email", "already used")
    assert (one.status, one.field, str(one), one.as_messages()) == (400, "email", "already used",
                                                                     {"email": ["already used"]})
    several = FieldError({"country": "unknown", "vat_id": ["invalid", "not in the EU"]})
    assert several.as_messages() == {"country": ["unknown"], "vat_id": ["invalid", "not in the EU"]}
    assert Conflict("status", "is issued").status == 409
    assert FieldError("x", "y", status=422).status == 422


@pytest.mark.parametrize(("amount", "currency", "locale", "shown"), [
    ("1234.5", "EUR", "de", "1.234,50\xa0€"),
    ("1234.5", "EUR", "en", "€1,234.50"),
    ("1234.5", "KWD", "de", "1.234,500\xa0KWD"),
    ("5000", "JPY", "de", "5.000\xa0¥"),
    ("5000", "ISK", "en", "ISK5,000"),
    ("0.0125", "EUR", "en", "€0.0125"),  # a unit price keeps its decimals: never rounded for display
    ("-9.9", "EUR", "fr", "-9,90\xa0€"), ("1234.5", "EUR", "fr", "1\u202f234,50\xa0€"),
])
def test_format_money_uses_the_locale_and_the_currency_exponent(amount, currency, locale, shown):
    assert format_money(Decimal(amount), currency, locale) == shown


def test_format_money_of_nothing_is_empty_and_numbers_keep_digits():
    assert format_money(None, "EUR", "de") == ""
    assert format_number(Decimal("9.975"), "de") == "9,975"


@pytest.mark.parametrize(("text", "locale", "value"), [
    ("9,99", "de", "9.99"), ("1.234,50", "de", "1234.50"), ("9.99", "de", "9.99"),
    ("1,234.50", "en", "1234.50"), ("12", "fr", "12"), (" 1\u202f234,5 ", "fr", "1234.5"),
])
def test_parse_amount_accepts_the_locale_notation(text, locale, value):
    assert parse_amount(text, locale) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "NaN", "Infinity"])
def test_parse_amount_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text, "de")
