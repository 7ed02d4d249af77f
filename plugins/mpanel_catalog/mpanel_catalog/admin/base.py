"""Base classes for the catalogue's admin views and REST APIs.

Both run the same :class:`~mpanel_catalog.validation.Rules`: field rules as
form validators / schema validators, record rules (uniqueness within the
tenant, cross-field checks) before a row is saved. Tenant isolation comes from
the ORM criteria and row-level security; related rows are looked up in the
tenant's scope, so another tenant's id is "not found", never linked.
"""

from __future__ import annotations

import re

from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from marshmallow import ValidationError, validates_schema
from marshmallow_sqlalchemy import ModelConverter, SQLAlchemyAutoSchema
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy import func, select
from wtforms import BooleanField, DecimalField
from wtforms.validators import InputRequired, Optional

from mpanel.extensions import db
from mpanel.web.forms import form_rule, schema_rule
from mpanel_catalog.admin.labels import LABELS
from mpanel_catalog.errors import FieldError
from mpanel_catalog.i18n import gettext as _
from mpanel_catalog.validation import Rules


def in_use(session, item) -> str | None:
    """Why ``item`` cannot be deleted: rows (of any loaded plugin) that refer to it without ON DELETE CASCADE."""
    table = type(item).__table__
    names = {mapper.local_table: mapper.class_.__name__ for mapper in db.Model.registry.mappers}
    for other in table.metadata.tables.values():
        for constraint in other.foreign_key_constraints:
            if constraint.referred_table is not table or (constraint.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                continue
            (column,) = constraint.columns
            count = session.scalar(select(func.count()).select_from(other).where(column == item.id))
            if count:
                return _("still used by %(count)s × %(what)s", count=count, what=names.get(other, other.name))
    return None


class CatalogModelView(ModelView):
    rules: Rules = Rules()
    label_columns: dict = {}  # additions to LABELS
    page_size = 50

    def __init__(self, **kwargs):
        self.label_columns = {**LABELS, **self.label_columns}  # a copy: FAB adds to it
        self.validators_columns = {name: [form_rule(check)] for name, check in self.rules.fields.items()}
        self.add_form_extra_fields = {**self._plain_fields(self.add_columns), **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**self._plain_fields(self.edit_columns), **(self.edit_form_extra_fields or {})}
        super().__init__(**kwargs)

    def _plain_fields(self, columns) -> dict:
        """Fields FAB generates wrongly: its DecimalField shows two places (so every edit would round a price)
        and a non-nullable boolean gets InputRequired (so an unchecked box could never be saved)."""
        fields = {}
        for name in columns or ():
            label = LABELS.get(name) or re.sub("[._]", " ", name).title()
            if self.datamodel.is_boolean(name):
                fields[name] = BooleanField(label)
            elif self.datamodel.is_numeric(name):
                required = Optional() if self.datamodel.is_nullable(name) else InputRequired()
                checks = [form_rule(self.rules.fields[name])] if name in self.rules.fields else []
                fields[name] = DecimalField(label, validators=[required, *checks], places=None,
                                            widget=BS3TextFieldWidget())
        return fields

    def pre_add(self, item):
        self._check(item, None, self.add_columns)

    def pre_update(self, item):
        self._check(item, item, self.edit_columns)

    def pre_delete(self, item):
        if reason := in_use(self.datamodel.session, item):
            raise ValueError(reason)

    def _check(self, item, instance, columns) -> None:
        values = {name: getattr(item, name) for name in columns}
        try:
            self.rules.validate(self.datamodel.session, self.datamodel.obj, values, instance)
        except FieldError as exc:  # FAB shows the message and saves nothing
            raise ValueError(f"{LABELS.get(exc.field, exc.field)}: {exc.message}") from None


class ExistingRelated(Related):
    """A related row by id, looked up in the tenant's scope; unknown ids are refused, never created."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("must be the id of an existing row"))
        row = self.session.get(self.related_model, value)
        if row is None:
            raise ValidationError(_("%(id)s does not exist", id=value))
        return row


class _Converter(ModelConverter):
    def _get_field_class_for_property(self, prop):
        return ExistingRelated if hasattr(prop, "direction") else super()._get_field_class_for_property(prop)

    def _add_column_kwargs(self, kwargs, column):
        super()._add_column_kwargs(kwargs, column)
        # Money is never rounded on input: more than four places are refused by check_amount.
        kwargs.pop("places", None)


class CatalogSchema(SQLAlchemyAutoSchema):
    rules: Rules = Rules()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, check in self.rules.fields.items():
            if name in self.fields:
                self.fields[name].validators.append(schema_rule(check))

    @validates_schema
    def _check_record(self, data, **kwargs):
        try:
            self.rules.validate(self.session, self.opts.model, data, self.instance)
        except FieldError as exc:
            raise ValidationError(exc.message, field_name=exc.field) from None


def model_schema(model, columns, rules: Rules) -> CatalogSchema:
    meta = type("Meta", (), {"model": model, "fields": list(columns), "load_instance": True,
                             "include_relationships": True, "sqla_session": db.session, "model_converter": _Converter})
    return type(f"{model.__name__}Schema", (CatalogSchema,), {"Meta": meta, "rules": rules})()


class CatalogApi(ModelRestApi):
    """REST for one catalogue model; errors are ``{"message": {field: [...]}}`` with 422."""

    rules: Rules = Rules()
    page_size = 50

    def __init__(self):
        if self.add_columns:  # read-only APIs have none
            self.add_model_schema = model_schema(self.datamodel.obj, self.add_columns, self.rules)
            self.edit_model_schema = model_schema(self.datamodel.obj, self.edit_columns, self.rules)
        super().__init__()

    def delete_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None and (reason := in_use(self.datamodel.session, item)):
            return self.response_422(message={"id": [reason]})
        return super().delete_headless(pk)
