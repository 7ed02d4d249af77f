"""Strict marshmallow fields: a wrong JSON type is refused naming the field, never coerced
(no float truncated to an integer, no ``"yes"`` read as true, no ``false`` read as "none")."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate
from marshmallow_sqlalchemy.fields import Related

from mpanel.core.money import quantize, to_decimal
from mpanel.web.routing import MAX_ID


class Money(fields.String):
    """A decimal sent as a string (or an integer); floats are refused, they lose cents.
    Sent back as a string (and documented as one)."""

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError("send numbers as strings, e.g. \"9.99\"")
        try:
            number = to_decimal(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise ValidationError(str(exc) or "not a number") from None
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            raise ValidationError("a number below 10^15")
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


def money_json(value, currency: str) -> str | None:
    """An amount as the API sends it: a string with the currency's decimals ("19.99", "1500"
    for JPY), None for none. Every JSON answer with money uses this (and :class:`Money`)."""
    return None if value is None else str(quantize(value, currency))


def Id(**kwargs) -> fields.Integer:
    """The id of a record: an integer from 1 to the largest id PostgreSQL stores."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def positive(value: Decimal) -> None:
    if value <= 0:
        raise ValidationError("must be greater than 0")


def not_negative(value: Decimal) -> None:
    if value < 0:
        raise ValidationError("must not be negative")


def _strict_field(field: fields.Field) -> None:
    if isinstance(field, fields.Integer):
        field.strict = True
        if not any(isinstance(v, validate.Range) for v in field.validators):
            field.validators.append(validate.Range(min=-MAX_ID - 1, max=MAX_ID))
    elif isinstance(field, fields.Boolean) and not getattr(field, "_strict", False):
        field._strict, original = True, field._deserialize

        def booleans_only(value, attr, data, **kwargs):
            if not isinstance(value, bool):
                raise field.make_error("invalid")
            return original(value, attr, data, **kwargs)

        field._deserialize = booleans_only
    elif type(field) is fields.Raw and not getattr(field, "_strict", False) \
            and any(isinstance(v, (validate.Length, validate.OneOf)) for v in field.validators):
        # FAB maps enum-like string columns to Raw: a non-string would reach Length (500).
        field._strict, raw = True, field._deserialize

        def strings_only(value, attr, data, **kwargs):
            if not isinstance(value, str):
                raise ValidationError("Not a valid string.")
            return raw(value, attr, data, **kwargs)

        field._deserialize = strings_only
    elif isinstance(field, Related) and not getattr(field, "_strict", False):
        # A related record is looked up by its id: one PostgreSQL cannot store would
        # fail in the database (500) instead of being refused here.
        field._strict, lookup = True, field._deserialize

        def stored_ids_only(value, attr, data, **kwargs):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
                raise ValidationError(f"an id from 1 to {MAX_ID}")
            return lookup(value, attr, data, **kwargs)

        field._deserialize = stored_ids_only
    elif isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        make_strict(field.schema)
    elif isinstance(field, fields.List):
        _strict_field(field.inner)
    elif isinstance(field, fields.Dict) and field.value_field is not None:
        _strict_field(field.value_field)


def make_strict(schema: Schema) -> Schema:
    """Make the integer and boolean fields of ``schema`` (and its nested ones) strict."""
    for field in schema.fields.values():
        _strict_field(field)
    return schema


def money_as_strings(schema: Schema) -> Schema:
    """Replace a model schema's Decimal fields by :class:`Money`: strings in and out."""
    for name, field in list(schema.fields.items()):
        if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
            money_as_strings(field.schema)
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            money_as_strings(field.inner.schema)
        elif isinstance(field, fields.Decimal):
            money = Money(required=field.required, allow_none=field.allow_none, validate=field.validators,
                          load_default=field.load_default, dump_only=field.dump_only, load_only=field.load_only,
                          data_key=field.data_key)
            money._bind_to_schema(name, schema)
            for table in (schema.fields, schema.load_fields, schema.dump_fields):
                if name in table:
                    table[name] = money
    return schema
