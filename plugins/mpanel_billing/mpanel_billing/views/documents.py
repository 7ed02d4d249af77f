"""Invoices and credit notes in the admin: filters, amounts, the totals of the filtered list."""

from __future__ import annotations

from flask import flash, redirect
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup, escape
from sqlalchemy import func

from mpanel.core.errors import FieldError
from mpanel.core.money import format_money, format_number, quantize
from mpanel.extensions import db
from mpanel.web.crud import TenantModelView

from ..i18n import lazy_gettext as _
from ..invoices import issue
from ..models.invoice import CANCELLED, CREDIT_NOTE, DRAFT, INVOICE, Invoice
from .desk import InvoiceDesk

UNCOUNTED = (DRAFT, CANCELLED)  # the totals under the list are of documents that count
AMOUNTS = ["net_total", "tax_total", "total", "amount_paid", "amount_credited"]


def _pdf_link(pk) -> Markup:
    return Markup('<a href="/api/v1/invoices/{0}/pdf">PDF</a> · <a href="/api/v1/invoices/{0}/ubl">UBL</a>').format(pk)


class _DocumentView(TenantModelView):
    datamodel = SQLAInterface(Invoice)
    base_permissions = ["can_list", "can_show"]
    list_template = "billing/admin/list_with_totals.html"
    list_columns = ["number", "customer", "status", "issue_date", "due_date", "currency", *AMOUNTS[:3], "id"]
    show_columns = ["number", "proforma_number", "customer", "status", "issue_date", "due_date", "currency",
                    *AMOUNTS, "notes", "lines", "id"]
    search_columns = ["number", "customer", "status", "issue_date", "due_date", "currency", "total"]
    base_order = ("id", "desc")
    formatters_columns = {"id": _pdf_link, "lines": lambda lines: Markup("<br>").join(
        escape(f"{format_number(line.quantity)} × {line.description}: "
               f"{format_money(line.net_amount, line.invoice.currency)}") for line in lines)}
    label_columns = {"id": _("Documents"), "net_total": _("Net"), "tax_total": _("Tax"), "amount_due": _("Due")}

    @expose("/list/")
    @has_access
    def list(self):
        widgets = self._list()
        filters = self.list_filters()
        query = self.datamodel.apply_filters(
            db.session.query(Invoice.currency, func.count(Invoice.id), *(func.sum(getattr(Invoice, name))
                                                                          for name in AMOUNTS[:3])),
            filters).where(Invoice.status.notin_(UNCOUNTED)).group_by(Invoice.currency).order_by(Invoice.currency)
        totals = [{"currency": currency, "count": count,
                   **{name: quantize(value or 0, currency) for name, value in zip(AMOUNTS[:3], sums, strict=True)}}
                  for currency, count, *sums in query]
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets, totals=totals)


class InvoiceView(InvoiceDesk, _DocumentView):
    """The invoice list (issue drafts in bulk) and the invoice desk (views/desk.py)."""

    list_title = _("Invoices")
    base_filters = [["kind", FilterEqual, INVOICE]]
    base_permissions = ["can_list", "can_show", "can_add", "can_issue", "can_collect", "can_credit", "can_send"]
    method_permission_name = {"add": "add", "add_line": "add", "edit_line": "add", "issue_one": "issue",
                              "record_payment": "collect", "apply_credit": "collect", "credit_note": "credit",
                              "cancel": "credit", "send": "send"}

    @action("issue", _("Issue"), _("Issue the selected drafts?"), "fa-check", multiple=True, single=False)
    def issue(self, items):
        items = items if isinstance(items, list) else [items]
        try:
            for item in items:
                issue(db.session, item)
            db.session.commit()
            flash(_("Issued"), "success")
        except FieldError as error:
            db.session.rollback()
            flash(f"{error.field}: {error.message}", "danger")
        return redirect(self.get_redirect())


class CreditNoteView(_DocumentView):
    list_title = _("Credit notes")
    base_filters = [["kind", FilterEqual, CREDIT_NOTE]]
