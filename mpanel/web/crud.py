"""Tenant-aware bases for generated admin views and REST schemas.

Tenant isolation itself comes from the ORM criteria and row-level security;
these classes fix what FAB and marshmallow-sqlalchemy generate wrongly for
money and relations.
"""

from __future__ import annotations

import re

from flask_appbuilder import ModelView
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_babel import gettext as _
from marshmallow import ValidationError
from marshmallow_sqlalchemy import ModelConverter
from marshmallow_sqlalchemy.fields import Related
from wtforms import BooleanField, DecimalField
from wtforms.validators import InputRequired, Optional


class TenantModelView(ModelView):
    """A ModelView whose boolean and decimal fields behave: FAB gives a
    non-nullable boolean InputRequired (an unticked box can never be saved)
    and shows decimals with two places (every edit would round a price)."""

    def __init__(self, **kwargs):
        self.add_form_extra_fields = {**self._plain_fields(self.add_columns), **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**self._plain_fields(self.edit_columns),
                                       **(self.edit_form_extra_fields or {})}
        super().__init__(**kwargs)

    def _plain_fields(self, columns) -> dict:
        fields = {}
        for name in columns or ():
            label = self.label_columns.get(name) or re.sub("[._]", " ", name).title()
            if self.datamodel.is_boolean(name):
                fields[name] = BooleanField(label)
            elif self.datamodel.is_numeric(name):
                required = Optional() if self.datamodel.is_nullable(name) else InputRequired()
                fields[name] = DecimalField(label, validators=[required, *self.validators_columns.get(name, [])],
                                            places=None, widget=BS3TextFieldWidget())
        return fields


class ExistingRelated(Related):
    """A related row by id, looked up in the tenant's scope: an unknown id (or
    another tenant's) is refused, never created as marshmallow-sqlalchemy would."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("must be the id of an existing row"))
        row = self.session.get(self.related_model, value)
        if row is None:
            raise ValidationError(_("%(id)s does not exist", id=value))
        return row


class TenantModelConverter(ModelConverter):
    """Relations as :class:`ExistingRelated`; decimals never rounded on input."""

    def _get_field_class_for_property(self, prop):
        return ExistingRelated if hasattr(prop, "direction") else super()._get_field_class_for_property(prop)

    def _add_column_kwargs(self, kwargs, column):
        super()._add_column_kwargs(kwargs, column)
        kwargs.pop("places", None)
