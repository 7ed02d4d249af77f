from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mpanel.core.money import (
    CurrencyError,
    Money,
    TaxedAmount,
    exponent,
    from_minor_units,
    quantize,
    to_minor_units,
    validate_currency,
)


@pytest.mark.parametrize(("currency", "places"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3), ("BHD", 3)])
def test_exponents_follow_iso_4217(currency, places):
    assert exponent(currency) == places


def test_half_up_rounding_per_currency():
    assert quantize("2.345", "EUR") == Decimal("2.35")
    assert quantize("2.5", "JPY") == Decimal("3")
    assert quantize("1.2345", "KWD") == Decimal("1.235")
    assert quantize("-2.345", "EUR") == Decimal("-2.35")


def test_unknown_currency_and_floats_are_refused():
    with pytest.raises(CurrencyError):
        validate_currency("XYZ")
    with pytest.raises(TypeError):
        quantize(0.1, "EUR")


@pytest.mark.parametrize(("amount", "currency", "units"),
                         [("12.34", "EUR", 1234), ("1500", "JPY", 1500), ("1.234", "KWD", 1234)])
def test_minor_units_round_trip(amount, currency, units):
    assert to_minor_units(amount, currency) == units
    assert from_minor_units(units, currency) == Decimal(amount)


@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(["EUR", "JPY", "KWD"]))
def test_minor_units_round_trip_property(units, currency):
    assert to_minor_units(from_minor_units(units, currency), currency) == units


def test_pretix_gross_edge_case():
    taxed = TaxedAmount.from_gross("99.99", "19", "EUR")
    assert (taxed.net, taxed.tax, taxed.gross) == (Decimal("84.03"), Decimal("15.96"), Decimal("99.99"))


@given(st.decimals(min_value=0, max_value=10**9, places=2), st.sampled_from(["0", "7", "19", "20", "25.5"]))
def test_gross_is_net_plus_tax(gross, rate):
    taxed = TaxedAmount.from_gross(gross, rate, "EUR")
    assert taxed.net + taxed.tax == taxed.gross == quantize(gross, "EUR")


def test_money_refuses_mixed_currencies():
    with pytest.raises(CurrencyError):
        Money(Decimal("1"), "EUR") + Money(Decimal("1"), "USD")
    assert str(Money(Decimal("1.005"), "EUR") + Money(Decimal("2"), "EUR")) == "3.01 EUR"
