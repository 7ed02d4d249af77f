"""Admin CRUD and REST for customers (tenant-scoped by the ORM and RLS)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.api import expose, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from flask_login import current_user
from markupsafe import Markup
from marshmallow import Schema, fields, pre_load
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from mpanel.api.base import ModelApi, safe
from mpanel.api.body import json_body
from mpanel.api.openapi import NoBody, documented
from mpanel.core.errors import Conflict
from mpanel.core.security.models import MPanelUser
from mpanel.core.signals.tenancy import customer_created
from mpanel.extensions import db
from mpanel.modules.accounts import contacts, impersonation
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
    formatters_columns = {"id": lambda pk: Markup('<a href="/customers/{0}">#{0}</a>').format(pk)}  # the page

    def post_add(self, item):
        customer_created.send(item)

    @action("invite", _("Send an invitation"), _("Invite the selected customers to set a password?"), "fa-envelope")
    def invite(self, items):
        for item in items if isinstance(items, list) else [items]:
            contacts.invite_customer(db.session, item, request.host_url, current_user.get_full_name(), g.tenant.name)
        db.session.commit()
        flash(_("The invitations are on their way."), "success")
        return redirect(self.get_redirect())

    @action("impersonate", _("Log in as client"), None, "fa-sign-in", multiple=False)
    def impersonate(self, item):
        item = item[0] if isinstance(item, list) else item
        try:
            impersonation.start(db.session, db.session.get(MPanelUser, current_user.id), item)
        except Conflict as exc:
            flash(exc.message, "danger")
            return redirect(self.get_redirect())
        return redirect(url_for("client.dashboard"))


class InvitationOut(Schema):
    message = fields.String(required=True)


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

    @expose("/<int:pk>/invitation", methods=["POST"])
    @documented(request=NoBody, response=InvitationOut, status=202, body_required=False)
    @protect()
    @safe
    def invite(self, pk):
        """Invite the customer's owner contact (made on the first call) to set a password."""
        json_body(NoBody())
        customer = self.datamodel.get(pk)
        if customer is None:
            return self.response_404()
        contacts.invite_customer(db.session, customer, request.host_url, g.user.get_full_name(), g.tenant.name)
        db.session.commit()
        return self.response(202, message="An invitation is on its way.")
