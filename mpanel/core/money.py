"""Money helpers: Decimal only, rounded in exactly one place.

Every amount is rounded to its currency's ISO 4217 exponent with ROUND_HALF_UP
by :func:`quantize`; nothing else in MPanel rounds money.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry

# ISO 4217 minor units that differ from 2. pycountry does not carry exponents,
# so the list below is the standard's table of non-2 currencies.
_EXPONENTS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
    "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
    "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}


class CurrencyError(ValueError):
    """Raised for a code that is not an ISO 4217 currency."""


@functools.cache
def _iso_codes() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def validate_currency(code: str) -> str:
    """Return the upper-case ISO 4217 code or raise :class:`CurrencyError`."""
    normalised = (code or "").strip().upper()
    if normalised not in _iso_codes():
        raise CurrencyError(f"{code!r} is not an ISO 4217 currency code")
    return normalised


def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit."""
    return _EXPONENTS.get(validate_currency(currency), 2)


def to_decimal(value) -> Decimal:
    """Parse a str/int/Decimal amount; floats are refused (they lose cents)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or Decimal")
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a number") from exc
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


@functools.lru_cache(maxsize=512)
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def quantize(amount, currency: str) -> Decimal:
    """Round to the currency's exponent, half up: the only rounding in MPanel."""
    return to_decimal(amount).quantize(_quantum(currency), ROUND_HALF_UP)


def to_minor_units(amount, currency: str) -> int:
    """Decimal amount -> integer minor units (cents), for payment providers."""
    return int(quantize(amount, currency).scaleb(exponent(currency)))


def from_minor_units(units: int, currency: str) -> Decimal:
    """Integer minor units -> Decimal amount with the currency's exponent."""
    return quantize(Decimal(int(units)).scaleb(-exponent(currency)), currency)


@dataclass(frozen=True)
class Money:
    """An amount with its currency; arithmetic only between equal currencies."""

    amount: Decimal
    currency: str

    def __post_init__(self):
        object.__setattr__(self, "currency", validate_currency(self.currency))
        object.__setattr__(self, "amount", to_decimal(self.amount))

    def rounded(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency)} {self.currency}"


@dataclass(frozen=True)
class TaxedAmount:
    """Net, tax and gross of one amount at one rate, all rounded to the currency."""

    net: Decimal
    tax: Decimal
    gross: Decimal
    rate: Decimal
    currency: str

    @classmethod
    def from_net(cls, net, rate, currency: str) -> TaxedAmount:
        net = quantize(net, currency)
        tax = quantize(net * to_decimal(rate) / 100, currency)
        return cls(net, tax, net + tax, to_decimal(rate), validate_currency(currency))

    @classmethod
    def from_gross(cls, gross, rate, currency: str) -> TaxedAmount:
        gross = quantize(gross, currency)
        rate = to_decimal(rate)
        net = quantize(gross * 100 / (100 + rate), currency)
        return cls(net, gross - net, gross, rate, validate_currency(currency))


def _locale(locale):
    from babel import Locale

    if locale is None:
        from flask import has_request_context
        from flask_babel import get_locale

        locale = get_locale() if has_request_context() else None
    return Locale.parse(locale or "en") if not isinstance(locale, Locale) else locale


def format_money(amount, currency: str, locale=None) -> str:
    """``1234.5, "EUR", "de"`` -> ``"1.234,50 €"``: the locale's currency pattern with
    the currency's ISO 4217 exponent (KWD 3, JPY 0). Never rounds: a stored unit price
    with more decimals shows them all. ``locale`` defaults to the request's."""
    from copy import copy

    if amount is None:
        return ""
    loc = _locale(locale)
    places = exponent(currency)
    pattern = copy(loc.currency_formats["standard"])
    pattern.frac_prec = (places, places)
    return pattern.apply(to_decimal(amount), loc, currency=validate_currency(currency), currency_digits=False,
                         decimal_quantization=False)


def format_number(value, locale=None) -> str:
    """A plain decimal (quantity, rate) in the locale's notation, all its digits kept."""
    from babel.numbers import format_decimal

    if value is None:
        return ""
    return format_decimal(to_decimal(value), locale=_locale(locale), decimal_quantization=False)


def parse_amount(text, locale=None) -> Decimal:
    """What a person typed -> Decimal: the locale's notation ("9,99" or "1.234,50" in
    German), or a plain "9.99". Raises ``ValueError`` naming the text otherwise."""
    from babel.numbers import NumberFormatError, parse_decimal

    if isinstance(text, Decimal | int):
        return to_decimal(text)
    cleaned = str(text or "").strip()
    if not cleaned:
        raise ValueError("an amount is required")
    try:
        return to_decimal(parse_decimal(cleaned, locale=_locale(locale), strict=True))
    except (NumberFormatError, ValueError):
        pass
    try:
        return to_decimal(cleaned)  # the plain notation, accepted in every locale
    except ValueError:
        raise ValueError(f"{text!r} is not an amount") from None
