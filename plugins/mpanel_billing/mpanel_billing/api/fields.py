"""Marshmallow fields and checks shared by the billing schemas."""

from decimal import Decimal

from marshmallow import ValidationError, fields

from mpanel.core.money import to_decimal


class Money(fields.Field):
    """A decimal sent as a string (or an integer); floats are refused, they lose cents."""

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError("send numbers as strings, e.g. \"9.99\"")
        try:
            return to_decimal(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


def positive(value: Decimal) -> None:
    if value <= 0:
        raise ValidationError("must be greater than 0")


def not_negative(value: Decimal) -> None:
    if value < 0:
        raise ValidationError("must not be negative")
