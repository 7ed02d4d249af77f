"""Staff place an order for a customer: the same checkout (catalogue calculator,
taxes, first invoice) the client area uses, one product per order."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_wtf import FlaskForm
from mpanel_catalog.models import Price, Product
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Optional

from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer

from ..i18n import lazy_gettext as _
from ..orders.checkout import checkout


class OrderForm(FlaskForm):
    customer = SelectField(_("Customer"), coerce=int, validators=[InputRequired()])
    product = SelectField(_("Product"), coerce=int, validators=[InputRequired()])
    cycle = SelectField(_("Billing cycle"), validators=[InputRequired()])
    coupon = StringField(_("Coupon"), validators=[Optional()])


class OrderDesk:
    """``/orderview/new?customer=<id>``, linked from the customer's page."""

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        form = OrderForm()
        form.customer.choices = [(c.id, f"{c.display_name} (#{c.id})") for c in db.session.scalars(
            select(Customer).where(Customer.active.is_(True)).order_by(Customer.company, Customer.last_name))]
        form.product.choices = [(p.id, p.name) for p in db.session.scalars(
            select(Product).where(Product.retired.is_(False)).order_by(Product.name))]
        cycles = sorted(set(db.session.scalars(select(Price.cycle).distinct())))
        form.cycle.choices = [(c, _(c)) for c in cycles]
        if request.method == "GET" and request.args.get("customer", "").isdigit():
            form.customer.data = int(request.args["customer"])
        errors = []
        if form.validate_on_submit():
            customer = db.session.get(Customer, form.customer.data)
            try:
                order = checkout(db.session, customer, [{"product": form.product.data, "cycle": form.cycle.data}],
                                 coupon=(form.coupon.data or "").strip() or None)
                db.session.commit()
            except FieldError as error:
                db.session.rollback()
                errors.append(f"{error.field}: {error.message}")
            else:
                flash(_("Order %(id)s placed", id=order.id) + (
                    " · " + _("held for review: %(reason)s", reason=order.review_reason) if order.review else ""),
                      "success")
                if order.invoice_id:
                    return redirect(url_for("InvoiceView.show", pk=order.invoice_id))
                return redirect(url_for("OrderView.show", pk=order.id))
        status = 400 if request.method == "POST" else 200
        return self.render_template("billing/admin/order_new.html", form=form, errors=errors,
                                    title=_("New order")), status
