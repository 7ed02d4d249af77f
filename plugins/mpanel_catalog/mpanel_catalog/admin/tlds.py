"""The TLD price list and its bulk markup tool (form and REST)."""

from flask import flash
from flask_appbuilder import SimpleFormView
from flask_appbuilder.api import expose, permission_name, protect
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import Schema, fields, validate
from wtforms import DecimalField, SelectMultipleField, StringField
from wtforms.validators import Optional

from mpanel.api.base import safe, transaction
from mpanel.api.body import json_body
from mpanel.api.fields import Money
from mpanel.api.openapi import documented
from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel_catalog import validation
from mpanel_catalog.admin.base import CatalogApi, CatalogModelView
from mpanel_catalog.constants import TLD_ACTIONS
from mpanel_catalog.i18n import gettext
from mpanel_catalog.i18n import lazy_gettext as _
from mpanel_catalog.models import Tld, TldFees, TldPrice
from mpanel_catalog.tld import apply_markup

TLD_COLUMNS = ["name", "kind", "epp_code_required", "registrar", "grace_days", "redemption_days", "hidden",
               "sort_order"]
FEES_COLUMNS = ["tld", "currency", "icann_fee", "grace_fee", "redemption_fee", "id_protection", "dns_management"]
PRICE_COLUMNS = ["tld", "currency", "action", "years", "cost", "price"]


class CatalogTldFeesView(CatalogModelView):
    datamodel = SQLAInterface(TldFees)
    rules = validation.TLD_FEES
    list_title = _("TLD fees")
    list_columns = FEES_COLUMNS
    search_columns = ["tld", "currency"]
    add_columns = edit_columns = FEES_COLUMNS
    show_columns = ["id", *FEES_COLUMNS]
    description_columns = {"icann_fee": _("Empty: 0.20 for gTLDs, none for ccTLDs")}


class CatalogTldPriceView(CatalogModelView):
    datamodel = SQLAInterface(TldPrice)
    rules = validation.TLD_PRICE
    list_title = _("TLD prices")
    list_columns = PRICE_COLUMNS
    search_columns = ["tld", "currency", "action", "years"]
    add_columns = edit_columns = PRICE_COLUMNS
    show_columns = ["id", *PRICE_COLUMNS]


class CatalogTldView(CatalogModelView):
    datamodel = SQLAInterface(Tld)
    rules = validation.TLD
    list_title = _("TLDs")
    list_columns = ["name", "kind", "registrar", "epp_code_required", "hidden"]
    search_columns = ["name", "kind", "registrar", "hidden"]
    add_columns = edit_columns = TLD_COLUMNS
    show_columns = ["id", *TLD_COLUMNS]
    base_order = ("sort_order", "asc")
    related_views = [CatalogTldFeesView, CatalogTldPriceView]


class MarkupForm(DynamicForm):
    currency = StringField(_("Currency"), validators=[Optional()], widget=BS3TextFieldWidget(),
                           description=_("Needed for a fixed markup or a price point; empty: all currencies"))
    percent = DecimalField(_("Markup (%)"), validators=[Optional()], places=None, widget=BS3TextFieldWidget())
    fixed = DecimalField(_("Fixed markup"), validators=[Optional()], places=None, widget=BS3TextFieldWidget())
    ending = DecimalField(_("Price point"), validators=[Optional()], places=None, widget=BS3TextFieldWidget(),
                          description=_("The fraction prices end in, e.g. 0.99; empty: none"))
    tlds = StringField(_("TLDs"), validators=[Optional()], widget=BS3TextFieldWidget(),
                       description=_("Comma-separated; empty: all"))
    actions = SelectMultipleField(_("Actions"), choices=[(a, a) for a in TLD_ACTIONS], validators=[Optional()])


class MarkupSchema(Schema):
    percent = Money(load_default=0)
    fixed = Money(load_default=0)
    ending = Money(load_default=None, allow_none=True)
    currency = fields.String(load_default=None, allow_none=True)
    tlds = fields.List(fields.String(), load_default=list)
    actions = fields.List(fields.String(validate=validate.OneOf(TLD_ACTIONS)), load_default=list)


class MarkupOutSchema(Schema):
    updated = fields.Integer(required=True, metadata={"description": "how many prices changed"})


class CatalogTldMarkupView(SimpleFormView):
    """Set retail prices to cost + X % + a fixed amount, up to a price point."""

    form = MarkupForm
    form_title = _("TLD markup")

    def form_post(self, form):
        tlds = [name for name in (form.tlds.data or "").split(",") if name.strip()]
        try:
            count = apply_markup(db.session, form.percent.data, form.fixed.data, form.ending.data,
                                 form.currency.data or None, tlds, form.actions.data)
        except FieldError as exc:
            db.session.rollback()
            flash(f"{exc.field}: {exc.message}", "danger")
            return
        db.session.commit()
        flash(gettext("%(count)s prices updated", count=count), "success")


class CatalogTldApi(CatalogApi):
    resource_name = "catalog-tlds"
    datamodel = SQLAInterface(Tld)
    rules = validation.TLD
    list_columns = show_columns = ["id", *TLD_COLUMNS]
    add_columns = edit_columns = TLD_COLUMNS
    search_columns = ["name", "kind", "registrar", "hidden"]


class CatalogTldFeesApi(CatalogApi):
    resource_name = "catalog-tld-fees"
    datamodel = SQLAInterface(TldFees)
    rules = validation.TLD_FEES
    list_columns = show_columns = ["id", "tld.id", "tld.name", *FEES_COLUMNS[1:]]
    add_columns = edit_columns = FEES_COLUMNS
    search_columns = ["tld", "currency"]


class CatalogTldPriceApi(CatalogApi):
    resource_name = "catalog-tld-prices"
    datamodel = SQLAInterface(TldPrice)
    rules = validation.TLD_PRICE
    list_columns = show_columns = ["id", "tld.id", "tld.name", *PRICE_COLUMNS[1:]]
    add_columns = edit_columns = PRICE_COLUMNS
    search_columns = ["tld", "currency", "action", "years"]

    @expose("/markup", methods=["POST"])
    @documented(request=MarkupSchema, response=MarkupOutSchema)
    @protect()
    @safe
    @permission_name("markup")
    @transaction
    def markup(self):
        """Set retail prices from cost: cost + percent % + fixed, up to a price point."""
        count = apply_markup(db.session, **json_body(MarkupSchema()))
        return self.response(200, updated=count)
