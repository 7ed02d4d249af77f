"""Column helpers of the billing models (amounts and currencies: ``mpanel.core.columns``)."""

from sqlalchemy import Column, Numeric


def rate() -> Column:
    """A tax rate in percent, e.g. 19 or 9.975."""
    return Column(Numeric(7, 4), nullable=False, default=0)
