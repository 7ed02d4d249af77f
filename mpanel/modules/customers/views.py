"""Admin CRUD and REST for customers (tenant-scoped by the ORM and RLS)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from marshmallow import pre_load
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from mpanel.api.base import ModelApi
from mpanel.core.signals.tenancy import customer_created
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer
from mpanel.modules.customers.validation import RULES
from mpanel.web.crud import TenantModelView
from mpanel.web.forms import form_rule, schema_rule

FIELDS = ["company", "first_name", "last_name", "email", "phone", "address1", "address2", "city", "postcode",
          "region", "country", "vat_id", "currency", "language", "tax_exempt", "active"]


class CustomerSchema(SQLAlchemyAutoSchema):
    class Meta:
        model = Customer
        load_instance = True
        sqla_session = db.session
        fields = FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, check in RULES.items():
            self.fields[name].validators.append(schema_rule(check))

    @pre_load
    def normalise(self, data, **kwargs):
        """Store codes in their canonical spelling ("eur" -> "EUR"); invalid
        values are left for the validators to report."""
        for name, check in RULES.items():
            if isinstance(data, dict) and isinstance(data.get(name), str):
                try:
                    data = {**data, name: check(data[name])}
                except ValueError:
                    pass
        return data


class CustomerView(TenantModelView):
    datamodel = SQLAInterface(Customer)
    list_title = _("Customers")
    list_columns = ["id", "company", "first_name", "last_name", "email", "country", "currency", "active"]
    search_columns = ["company", "first_name", "last_name", "email", "country", "vat_id"]
    add_columns = edit_columns = FIELDS
    show_columns = ["id", *FIELDS, "created_at"]
    validators_columns = {name: [form_rule(check)] for name, check in RULES.items()}
    label_columns = {"vat_id": _("VAT ID"), "tax_exempt": _("Tax exempt")}

    def post_add(self, item):
        customer_created.send(item)


class CustomerApi(ModelApi):
    resource_name = "customers"
    datamodel = SQLAInterface(Customer)
    list_columns = ["id", "company", "first_name", "last_name", "email", "country", "currency", "active"]
    show_columns = ["id", *FIELDS, "created_at"]
    add_columns = edit_columns = FIELDS
    search_columns = ["company", "email", "country"]
    add_model_schema = CustomerSchema()
    edit_model_schema = CustomerSchema(partial=True)

    def post_add(self, item):
        customer_created.send(item)
