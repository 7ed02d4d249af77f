"""Admin: transactions (with filters and a refund form for those allowed to
refund), saved payment methods, and the reconciliation page."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup
from sqlalchemy import func, select

from mpanel.core.errors import FieldError
from mpanel.core.money import quantize
from mpanel.extensions import appbuilder, db
from mpanel.web.crud import TenantModelView
from mpanel.web.forms import typed_amount

from .. import ledger
from ..i18n import lazy_gettext as _
from . import reversals
from .base import GatewayError
from .client import CsrfForm
from .models import OPEN_STATUSES, PAYMENT, GatewayEventLog, PaymentMethod, Transaction

QUIET = dt.timedelta(hours=1)


def _refund_link(pk) -> Markup:
    if not appbuilder.sm.has_access("can_refund", "TransactionView"):
        return Markup("")
    return Markup('<a href="{0}">{1}</a>').format(url_for("TransactionView.refund", pk=pk), _("Refund"))


class TransactionView(TenantModelView):
    datamodel = SQLAInterface(Transaction)
    base_permissions = ["can_list", "can_show", "can_refund"]
    list_title = _("Transactions")
    list_columns = ["created_at", "customer", "gateway", "kind", "status", "invoice", "amount", "currency",
                    "provider_id", "id"]
    show_columns = ["created_at", "updated_at", "customer", "gateway", "kind", "status", "invoice", "amount", "fee",
                    "currency", "provider_id", "parent", "off_session", "error", "id"]
    search_columns = ["customer", "gateway", "kind", "status", "invoice", "currency", "provider_id", "created_at"]
    base_order = ("id", "desc")
    formatters_columns = {"id": _refund_link}
    label_columns = {"id": ""}

    @expose("/refund/<int:pk>", methods=["GET", "POST"])
    @has_access
    def refund(self, pk):
        payment = db.session.get(Transaction, pk)
        if payment is None or payment.kind != PAYMENT:
            abort(404)
        form = CsrfForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            try:
                result = reversals.refund(db.session, payment, typed_amount(request.form.get("amount"), required=False),
                                with_credit_note=request.form.get("credit_note") == "1")
            except (FieldError, GatewayError) as error:
                db.session.rollback()
                flash(error.message, "danger")
            else:
                failed = result.status == "failed"
                flash(_("Refund %(status)s", status=result.status), "danger" if failed else "success")
                return redirect(url_for("TransactionView.show", pk=payment.id))
        return self.render_template("billing_payments/admin_refund.html", payment=payment, form=form,
                                    left=reversals.refundable(db.session, payment))


class PaymentMethodView(TenantModelView):
    datamodel = SQLAInterface(PaymentMethod)
    base_permissions = ["can_list", "can_show"]
    list_title = _("Payment methods")
    list_columns = ["customer", "gateway", "brand", "last4", "exp_month", "exp_year", "is_default", "test_mode",
                    "removed_at"]
    search_columns = ["customer", "gateway", "brand", "is_default", "test_mode"]
    base_order = ("id", "desc")


class ReconciliationView(BaseView):
    """The ledger against invoices and credit, totals per gateway, and what is stuck."""

    route_base = "/billing/reconciliation"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        since = dt.datetime.now(dt.UTC) - QUIET
        totals = [(gateway, kind, status, currency, count, quantize(amount, currency),
                   quantize(fee, currency) if fee is not None else None)
                  for gateway, kind, status, currency, count, amount, fee in db.session.execute(
                      select(Transaction.gateway, Transaction.kind, Transaction.status, Transaction.currency,
                             func.count(), func.sum(Transaction.amount), func.sum(Transaction.fee))
                      .group_by(Transaction.gateway, Transaction.kind, Transaction.status, Transaction.currency)
                      .order_by(Transaction.gateway, Transaction.kind, Transaction.status, Transaction.currency))]
        stuck = db.session.scalars(select(Transaction).where(Transaction.status.in_(OPEN_STATUSES),
                                                             Transaction.updated_at < since)
                                   .order_by(Transaction.id).limit(100)).all()
        events = db.session.scalars(select(GatewayEventLog).where(GatewayEventLog.processed_at.is_(None),
                                                                  GatewayEventLog.received_at < since)
                                    .order_by(GatewayEventLog.id).limit(100)).all()
        return self.render_template("billing_payments/reconciliation.html", problems=ledger.reconcile(db.session),
                                    totals=totals, stuck=stuck, events=events)
