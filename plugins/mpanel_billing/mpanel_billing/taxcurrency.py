"""The VAT of a foreign-currency invoice in the seller's national currency.

Art. 230 of the VAT directive: the VAT amount is stated in the member state's
currency, converted at a rate the seller records per invoice (BT-6 tax currency,
BT-111 VAT in it). A credit note repeats its invoice's rate.
"""

from __future__ import annotations

from decimal import Decimal

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import quantize, to_decimal

from .tax.eu import MEMBER_STATES

# Member states outside the euro area and their currencies; the others use EUR.
NATIONAL_CURRENCIES = {"CZ": "CZK", "DK": "DKK", "HU": "HUF", "PL": "PLN", "RO": "RON", "SE": "SEK"}


def national_currency(country: str) -> str | None:
    """The currency VAT is declared in for a seller in ``country`` (None outside the EU)."""
    if country not in MEMBER_STATES:
        return None
    return NATIONAL_CURRENCIES.get(country, "EUR")


def check_rate(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        rate = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise FieldError("tax_exchange_rate", str(exc)) from None
    if rate <= 0 or -rate.normalize().as_tuple().exponent > 10:
        raise FieldError("tax_exchange_rate", "a positive rate with at most 10 decimals")
    return rate


def apply(invoice, seller_country: str, recorded: dict) -> None:
    """Set the tax currency and the VAT in it on a draft about to be issued; without a rate
    on the invoice, the tenant's recorded rate for its currency (``recorded``) applies."""
    if invoice.kind == "credit_note":
        credited = invoice.credited_invoice
        invoice.tax_currency, invoice.tax_currency_rate = credited.tax_currency, credited.tax_currency_rate
    else:
        invoice.tax_currency = national_currency(seller_country)
        if invoice.tax_currency == invoice.currency:
            invoice.tax_currency = None
        if invoice.tax_currency and invoice.tax_currency_rate is None:
            invoice.tax_currency_rate = recorded.get(invoice.currency)
        if invoice.tax_currency and invoice.tax_currency_rate is None:
            raise Conflict("tax_exchange_rate", f"record the rate of {invoice.currency} to {invoice.tax_currency}: "
                                                "the VAT must also be stated in the national currency (art. 230)")
    if invoice.tax_currency is None:
        invoice.tax_currency_rate = invoice.tax_currency_tax = None
        return
    invoice.tax_currency_tax = quantize(invoice.tax_total * invoice.tax_currency_rate, invoice.tax_currency)
