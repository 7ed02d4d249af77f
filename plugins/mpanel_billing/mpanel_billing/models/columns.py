"""Column helpers shared by the billing models."""

from sqlalchemy import Column, Numeric, String


def money(nullable: bool = False) -> Column:
    """An amount; every table with amounts has a ``currency`` column beside them."""
    return Column(Numeric(20, 4), nullable=nullable, default=0 if not nullable else None)


def currency() -> Column:
    return Column(String(3), nullable=False)


def rate() -> Column:
    """A tax rate in percent, e.g. 19 or 9.975."""
    return Column(Numeric(7, 4), nullable=False, default=0)
