"""Adapters that turn one field rule (``check(value)`` raising ValueError)
into a WTForms validator or a marshmallow validator."""

from marshmallow import ValidationError as SchemaError
from wtforms.validators import ValidationError as FormError


def form_rule(check):
    def validator(form, field):
        try:
            check(field.data)
        except ValueError as exc:
            raise FormError(str(exc)) from None

    return validator


def schema_rule(check):
    def validator(value):
        try:
            check(value)
        except ValueError as exc:
            raise SchemaError(str(exc)) from None

    return validator
