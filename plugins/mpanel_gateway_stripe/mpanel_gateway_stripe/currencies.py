"""Currencies Stripe takes for card payments (its "presentment currencies") and how
its API writes their amounts."""

from decimal import Decimal

from mpanel.core.money import quantize, to_decimal

CURRENCIES = frozenset("""
USD AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BWP BYN BZD CAD CDF CHF
CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS
INR ISK JMD JOD JPY KES KGS KHR KMF KRW KWD KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MUR MVR MWK
MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SEK SGD SHP
SLE SOS SRD SZL THB TJS TND TOP TRY TTD TWD TZS UAH UGX UYU UZS VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
""".split())

# How Stripe's API writes amounts (docs.stripe.com/currencies), which is not ISO 4217's
# exponent for every currency: MGA has 2 decimals in ISO but is zero-decimal at Stripe.
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
# Zero-decimal at Stripe but sent as two-decimal amounts, a multiple of 100 (5,000 ISK = 500000).
WHOLE_IN_TWO_DECIMALS = frozenset({"ISK"})
# Three decimals, the last one 0 (KWD 1.230 = 1230).
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())


class NotRepresentable(ValueError):
    """An amount Stripe cannot take exactly in its currency."""


def _rule(currency: str) -> tuple[Decimal, int]:
    """(the smallest step Stripe charges, the power of ten of its API units)."""
    currency = currency.upper()
    if currency in ZERO_DECIMAL:
        return Decimal(1), 0
    if currency in WHOLE_IN_TWO_DECIMALS:
        return Decimal(1), 2
    if currency in THREE_DECIMAL:
        return Decimal("0.01"), 3
    return Decimal("0.01"), 2


def to_stripe(amount: Decimal, currency: str) -> int:
    """An amount in Stripe's API units; NotRepresentable if Stripe would round it."""
    amount = to_decimal(amount)
    step, power = _rule(currency)
    if amount % step:
        raise NotRepresentable(f"Stripe charges {currency.upper()} in steps of {step}; {amount} is not one")
    return int(amount.scaleb(power))


def from_stripe(units: int, currency: str) -> Decimal:
    """Stripe's API units as an amount in the currency's ISO exponent."""
    return quantize(Decimal(int(units)).scaleb(-_rule(currency)[1]), currency)
