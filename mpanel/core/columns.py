"""The columns of money every plugin stores: an amount beside its currency.

Amounts are ``Numeric(20, 4)`` (unit prices may carry more places than the
currency; totals are rounded by :func:`mpanel.core.money.quantize` before
they are stored); the currency is an ISO 4217 code.
"""

from sqlalchemy import Column, Numeric, String

MONEY = Numeric(20, 4)


def money(nullable: bool = False, **kwargs) -> Column:
    """An amount; a required one starts at 0. Every table with amounts has a currency column."""
    if not nullable:
        kwargs.setdefault("default", 0)
    return Column(MONEY, nullable=nullable, **kwargs)


def currency(nullable: bool = False) -> Column:
    return Column(String(3), nullable=nullable)
