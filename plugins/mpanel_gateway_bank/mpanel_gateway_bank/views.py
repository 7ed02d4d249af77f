"""Admin: record a received transfer, import a statement, match what the import left."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from mpanel_billing.gateways.client import CsrfForm
from mpanel_billing.models.invoice import Invoice
from sqlalchemy import or_, select

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import format_money
from mpanel.extensions import db
from mpanel.web.crud import TenantModelView
from mpanel.web.forms import currency_choices, typed_amount
from mpanel_gateway_bank import statements
from mpanel_gateway_bank.camt import StatementError
from mpanel_gateway_bank.models import BankLine, BankStatement
from mpanel_gateway_bank.transfers import record_transfer

from .i18n import lazy_gettext as _


def find_invoice(number: str) -> Invoice | None:
    number = (number or "").strip()
    return db.session.scalar(select(Invoice).where(or_(Invoice.number == number, Invoice.proforma_number == number)))


def _done(message: str, target: str, error: Exception | None = None):
    if error is not None:
        db.session.rollback()
        flash(getattr(error, "message", str(error)), "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(target)


class BankTransferView(BaseView):
    """A transfer staff saw on the bank account: full, partial or more than due."""

    route_base = "/bank/transfer"
    default_view = "record"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def record(self):
        form = CsrfForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            invoice = find_invoice(request.form.get("invoice"))
            try:
                if invoice is None:
                    raise Conflict("invoice", "no invoice with this number")
                booked = request.form.get("booked_on") or None
                amount = typed_amount(request.form.get("amount"))
                result = record_transfer(db.session, invoice, amount, request.form.get("currency"),
                                         (request.form.get("reference") or "").strip(),
                                         dt.date.fromisoformat(booked) if booked else None)
            except (FieldError, ValueError) as error:
                return _done("", url_for(".record"), error)
            message = _("Already recorded") if result.duplicate else _(
                "Recorded: %(applied)s applied, %(credited)s to credit",
                applied=format_money(result.applied, invoice.currency),
                credited=format_money(result.credited, invoice.currency))
            return _done(message, url_for(".record"))
        return self.render_template("gateway_bank/record.html", form=form, currencies=currency_choices(),
                                    currency=g.tenant.default_currency if g.get("tenant") else "EUR")


class BankStatementView(TenantModelView):
    datamodel = SQLAInterface(BankStatement)
    base_permissions = ["can_list", "can_show", "can_import_statement"]
    list_title = _("Bank statements")
    list_columns = ["imported_at", "filename", "lines", "matched"]
    base_order = ("id", "desc")

    @expose("/import", methods=["GET", "POST"])
    @has_access
    def import_statement(self):
        form = CsrfForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            upload = request.files.get("file")
            try:
                if upload is None:
                    raise StatementError("choose a CAMT.053 file")
                statement, new = statements.import_statement(db.session, upload.filename, upload.read())
            except (StatementError, FieldError) as error:
                return _done("", url_for(".import_statement"), error)
            message = _("%(lines)s new lines, %(matched)s recorded", lines=statement.lines,
                        matched=statement.matched) if new else _("This statement was imported before")
            return _done(message, url_for("BankLineView.list"))
        return self.render_template("gateway_bank/import.html", form=form)


class BankLineView(TenantModelView):
    datamodel = SQLAInterface(BankLine)
    base_permissions = ["can_list", "can_show", "can_match", "can_ignore"]
    list_title = _("Bank statement lines")
    list_columns = ["booked_on", "amount", "currency", "debtor_name", "reference", "remittance", "status", "invoice"]
    search_columns = ["status", "booked_on", "currency", "debtor_name", "reference", "remittance", "invoice"]
    base_order = ("id", "desc")

    @expose("/match/<int:pk>", methods=["GET", "POST"])
    @has_access
    def match(self, pk):
        line = db.session.get(BankLine, pk)
        if line is None:
            abort(404)
        form = CsrfForm()
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            invoice = find_invoice(request.form.get("invoice"))
            try:
                if invoice is None:
                    raise Conflict("invoice", "no invoice with this number")
                statements.record(db.session, line, invoice)
            except FieldError as error:
                return _done("", url_for(".match", pk=pk), error)
            return _done(_("Recorded"), url_for(".list"))
        return self.render_template("gateway_bank/match.html", line=line, form=form)

    @action("ignore", _("Ignore"), _("Ignore the selected lines (not a customer's payment)?"), "fa-ban")
    def ignore(self, items):
        try:
            for line in items if isinstance(items, list) else [items]:
                statements.ignore(line)
        except FieldError as error:
            return _done("", self.get_redirect(), error)
        return _done(_("Ignored"), self.get_redirect())


def register(appbuilder) -> None:
    menu = {"category": "Bank transfers", "category_label": _("Bank transfers"), "category_icon": "fa-university"}
    appbuilder.add_view(BankLineView, "Bank statement lines", label=_("Statement lines"), icon="fa-list", **menu)
    appbuilder.add_view(BankStatementView, "Bank statements", label=_("Statements"), icon="fa-file-code-o", **menu)
    appbuilder.add_view(BankTransferView, "Record a transfer", label=_("Record a transfer"), icon="fa-plus", **menu)
