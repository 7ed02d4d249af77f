"""Column helpers of the billing models (amounts and currencies: ``mpanel.core.columns``)."""

from decimal import Decimal

from sqlalchemy import Column, Numeric

from mpanel.core.errors import FieldError


def rate() -> Column:
    """A tax rate in percent, e.g. 19 or 9.975."""
    return Column(Numeric(7, 4), nullable=False, default=0)


def check_scale(value: Decimal, column, field: str) -> None:
    """Refuse a value with more decimals than the Numeric ``column`` keeps: the
    database would round it, and documents computed before and after would differ."""
    if value is None:
        return
    scale, value = column.type.scale, Decimal(value)
    if value.is_finite() and -value.normalize().as_tuple().exponent > scale:
        raise FieldError(field, f"at most {scale} decimals are kept; {value} has more")
