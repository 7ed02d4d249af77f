"""Base classes for the catalogue's admin views and REST APIs.

Both run the same :class:`~mpanel_catalog.validation.Rules`: field rules as
form validators / schema validators, record rules (uniqueness within the
tenant, cross-field checks) before a row is saved. Tenant isolation comes from
the ORM criteria and row-level security; related rows are looked up in the
tenant's scope, so another tenant's id is "not found", never linked.
"""

from __future__ import annotations

from marshmallow import ValidationError, validates_schema
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from mpanel.api.base import ModelApi
from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel.web.crud import TenantModelConverter, TenantModelView, in_use
from mpanel.web.forms import form_rule, schema_rule
from mpanel_catalog.admin.labels import LABELS
from mpanel_catalog.validation import Rules


class CatalogModelView(TenantModelView):
    rules: Rules = Rules()
    label_columns: dict = {}  # additions to LABELS
    page_size = 50

    def __init__(self, **kwargs):
        self.label_columns = {**LABELS, **self.label_columns}  # a copy: FAB adds to it
        self.validators_columns = {name: [form_rule(check)] for name, check in self.rules.fields.items()}
        super().__init__(**kwargs)


    def pre_add(self, item):
        self._check(item, None, self.add_columns)

    def pre_update(self, item):
        self._check(item, item, self.edit_columns)

    def _check(self, item, instance, columns) -> None:
        values = {name: getattr(item, name) for name in columns}
        try:
            self.rules.validate(self.datamodel.session, self.datamodel.obj, values, instance)
        except FieldError as exc:  # FAB shows the message and saves nothing
            raise ValueError(f"{LABELS.get(exc.field, exc.field)}: {exc.message}") from None




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
                             "include_relationships": True, "sqla_session": db.session,
                             "model_converter": TenantModelConverter})
    return type(f"{model.__name__}Schema", (CatalogSchema,), {"Meta": meta, "rules": rules})()


class CatalogApi(ModelApi):
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
            return self.response(409, message={"id": [reason]})
        return super().delete_headless(pk)
