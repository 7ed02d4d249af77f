"""Services and orders in the admin: lists with filters, and the status changes staff
make by hand (each one a lifecycle transition: audited, signalled, idempotent)."""

from __future__ import annotations

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup, escape

from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel.web.crud import TenantModelView

from ..i18n import lazy_gettext as _
from ..orders import review
from ..services import lifecycle
from ..services.models import ACTIVE, CANCELLED, SUSPENDED, TERMINATED, Order, Service
from .ordering import OrderDesk


class ServiceView(TenantModelView):
    datamodel = SQLAInterface(Service)
    base_permissions = ["can_list", "can_show", "can_set_status"]
    list_title = _("Services")
    list_columns = ["id", "customer", "description", "cycle", "currency", "recurring_amount", "status",
                    "next_due_date", "cancel_at"]
    show_columns = ["id", "customer", "product_id", "description", "cycle", "currency", "recurring_amount",
                    "tax_class", "options", "addons", "coupon", "status", "start_date", "anchor_date",
                    "periods_billed", "next_due_date", "cancel_at", "pending_change", "status_changed_at",
                    "created_at"]
    search_columns = ["customer", "description", "cycle", "currency", "status", "next_due_date", "start_date"]
    base_order = ("id", "desc")
    label_columns = {"recurring_amount": _("Price"), "product_id": _("Product"), "cancel_at": _("Ends on")}

    def _set_status(self, items, to: str):
        items = items if isinstance(items, list) else [items]
        try:
            changed = sum(lifecycle.transition(db.session, item, to, "by staff") for item in items)
            db.session.commit()
            flash(_("%(count)s changed", count=changed), "success")
        except FieldError as error:
            db.session.rollback()
            flash(f"{error.field}: {error.message}", "danger")
        return redirect(self.get_redirect())

    @action("set_status_active", _("Activate / unsuspend"), _("Activate the selected services?"), "fa-play")
    def set_status_active(self, items):
        return self._set_status(items, ACTIVE)

    @action("set_status_suspended", _("Suspend"), _("Suspend the selected services?"), "fa-pause")
    def set_status_suspended(self, items):
        return self._set_status(items, SUSPENDED)

    @action("set_status_terminated", _("Terminate"), _("Terminate the selected services? This is final."),
            "fa-stop")
    def set_status_terminated(self, items):
        return self._set_status(items, TERMINATED)

    @action("set_status_cancelled", _("Cancel"), _("Cancel the selected services? This is final."), "fa-ban")
    def set_status_cancelled(self, items):
        return self._set_status(items, CANCELLED)


def _order_lines(lines) -> Markup:
    return Markup("<br>").join(escape(f"service {line.service_id}" if line.service_id else
                                      f"domain {line.domain_id}: {line.domain_action}, {line.years} y")
                               for line in lines)


class OrderView(OrderDesk, TenantModelView):
    """Orders; those held for review (``?_flt_0_review=held``) are approved or rejected here."""

    datamodel = SQLAInterface(Order)
    base_permissions = ["can_list", "can_show", "can_place", "can_review"]
    method_permission_name = {"new": "place", "approve": "review", "reject": "review"}
    list_title = _("Orders")
    list_columns = ["id", "customer", "currency", "coupon", "invoice", "review", "review_reason", "created_at"]
    show_columns = ["id", "customer", "currency", "coupon", "invoice", "review", "review_reason", "lines",
                    "created_at"]
    search_columns = ["customer", "currency", "coupon", "review", "created_at"]
    base_order = ("id", "desc")
    formatters_columns = {"lines": _order_lines}
    label_columns = {"review": _("Review"), "review_reason": _("Held because")}

    def _review(self, items, change, done):
        items = items if isinstance(items, list) else [items]
        try:
            for item in items:
                change(db.session, item)
            db.session.commit()
            flash(done, "success")
        except FieldError as error:
            db.session.rollback()
            flash(f"{error.field}: {error.message}", "danger")
        return redirect(self.get_redirect())

    @action("approve", _("Approve"), _("Approve the selected orders? Their services start once paid."), "fa-check")
    def approve(self, items):
        return self._review(items, review.approve, _("Approved"))

    @action("reject", _("Reject"), _("Reject the selected orders? Their invoices are cancelled."), "fa-ban")
    def reject(self, items):
        return self._review(items, lambda session, order: review.reject(session, order, "rejected by staff"),
                            _("Rejected"))
