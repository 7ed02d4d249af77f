"""The staff invoice desk: a manual draft made and edited on its page, then issued;
on an issued invoice only what its state allows (payment, credit, credit note,
cancel, mail). Every change is one unit of work through the billing services
(invoices, ledger, credit): a refused change is a form error and writes nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from mpanel.core.clock import tenant_today
from mpanel.core.errors import FieldError
from mpanel.core.unit_of_work import unit_of_work
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer
from mpanel.web.forms import AmountField, CodeSelectField, currency_choices, shown_decimal, typed_amount

from .. import credit, invoices, ledger, mailing
from ..i18n import lazy_gettext as _
from ..models.invoice import CANCELLED, DRAFT, INVOICE, OPEN, Invoice
from ..models.tax import TAX_CLASSES

METHODS = (("bank", _("Bank transfer")), ("cash", _("Cash")), ("cheque", _("Cheque")))


class DraftForm(FlaskForm):
    customer = SelectField(_("Customer"), coerce=int, validators=[InputRequired()])
    currency = CodeSelectField(_("Currency"), choices=currency_choices, spelling=str.upper, validators=[Optional()])
    due_date = DateField(_("Due date"), validators=[Optional()])
    notes = TextAreaField(_("Notes"), validators=[Optional(), Length(max=2000)])


class LineForm(FlaskForm):
    description = StringField(_("Description"), validators=[InputRequired(), Length(max=500)])
    quantity = AmountField(_("Quantity"), validators=[InputRequired()])
    unit_price = AmountField(_("Unit price"), validators=[InputRequired()])
    discount = AmountField(_("Discount"), validators=[Optional()])
    tax_class = SelectField(_("Tax class"), choices=[(c, c) for c in TAX_CLASSES], default="standard")


class PaymentForm(FlaskForm):
    method = SelectField(_("Method"), choices=METHODS, default="bank")
    amount = AmountField(_("Amount"), validators=[InputRequired()])
    received_on = DateField(_("Received on"), validators=[InputRequired()])
    reference = StringField(_("Reference"), validators=[InputRequired(), Length(max=180)])


class ReasonForm(FlaskForm):
    reason = StringField(_("Reason"), validators=[Optional(), Length(max=200)])


def actions(invoice: Invoice, credit_available: Decimal) -> set[str]:
    """What staff may do with ``invoice`` now; the page offers only these."""
    if invoice.kind != INVOICE:
        return {"pdf", "send"} if invoice.status != DRAFT else set()
    if invoice.status == DRAFT:
        return {"edit", "issue", "cancel"}
    allowed = {"pdf", "send"}
    if invoice.status in OPEN:
        allowed |= {"payment"} | ({"apply_credit"} if credit_available > 0 else set())
    if invoice.status != CANCELLED:
        allowed.add("cancel")
        if invoice.number is not None:
            allowed.add("credit_note")
    return allowed


def _load(pk: int) -> Invoice:
    invoice = db.session.get(Invoice, pk)
    if invoice is None or invoice.kind != INVOICE:
        abort(404)
    return invoice


def _error_text(error: FieldError) -> str:
    return f"{error.field}: {error.message}"


class InvoiceDesk:
    """Routes of the invoice page, mixed into InvoiceView (``/invoiceview/...``)."""

    def _page(self, invoice: Invoice, forms: dict | None = None, errors=(), status: int = 200):
        available = ledger.credit_balance(db.session, invoice.customer_id, invoice.currency)
        allowed = actions(invoice, available)
        forms = forms or {}
        line_form = forms.get("line") or LineForm(formdata=None)
        payment_form = forms.get("payment") or PaymentForm(formdata=None, data={
            "amount": shown_decimal(invoice.amount_due, invoice.currency) if invoice.status != DRAFT else "",
            "received_on": tenant_today(db.session)})
        remaining = {}
        if "credit_note" in allowed:
            done = credit.credited_quantities(db.session, invoice)
            remaining = {line.id: line.quantity - done.get(line.id, (0, 0))[0] for line in invoice.lines}
        notes = db.session.scalars(select(Invoice).where(Invoice.credited_invoice_id == invoice.id)
                                   .order_by(Invoice.id)).all()
        return self.render_template("billing/admin/invoice.html", invoice=invoice, allowed=allowed,
                                    credit_available=available, line_form=line_form, payment_form=payment_form,
                                    reason_form=forms.get("reason") or ReasonForm(formdata=None),
                                    remaining=remaining, credit_notes=notes, errors=errors, shown=shown_decimal,
                                    title=invoice.display_number), status

    def _change(self, invoice: Invoice, action: str, change, forms=None):
        """Run ``change()`` as one unit of work and commit: None, or the page again with the refusal."""
        try:
            with unit_of_work(db.session, f"invoice.{action}") as work:
                change()
                work.audit(invoice, by="staff")
            db.session.commit()
        except FieldError as error:  # Conflict too
            db.session.rollback()
            return self._page(_load(invoice.id), forms, errors=[_error_text(error)], status=400)
        return None

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = DraftForm()
        customers = db.session.scalars(select(Customer).where(Customer.active.is_(True))
                                       .order_by(Customer.company, Customer.last_name)).all()
        form.customer.choices = [(c.id, f"{c.display_name} (#{c.id})") for c in customers]
        if request.method == "GET" and request.args.get("customer", "").isdigit():
            form.customer.data = int(request.args["customer"])
        errors = []
        if form.validate_on_submit():
            try:
                with unit_of_work(db.session, "invoice.create") as work:
                    customer = db.session.get(Customer, form.customer.data)
                    invoice = invoices.create_draft(db.session, customer, form.currency.data, form.due_date.data,
                                                    form.notes.data or None)
                    db.session.flush()
                    work.audit(invoice, by="staff")
                db.session.commit()
            except FieldError as error:
                db.session.rollback()
                errors.append(_error_text(error))
            else:
                flash(_("Draft %(number)s created: add its lines", number=invoice.display_number), "success")
                return redirect(url_for("InvoiceView.show", pk=invoice.id))
        return self.render_template("billing/admin/invoice_new.html", form=form, errors=errors,
                                    title=_("New invoice")), 400 if request.method == "POST" else 200

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        invoice = db.session.get(Invoice, pk)
        if invoice is None:
            abort(404)
        if invoice.kind != INVOICE:
            return redirect(url_for("CreditNoteView.show", pk=pk))
        return self._page(invoice)

    @expose("/lines/<int:pk>", methods=["POST"])
    @has_access
    def add_line(self, pk):
        invoice, form = _load(pk), LineForm()
        if not form.validate_on_submit():
            return self._page(invoice, {"line": form}, status=400)

        def change():
            invoices.add_line(db.session, invoice, form.description.data.strip(), form.quantity.data,
                              form.unit_price.data, tax_class=form.tax_class.data, discount=form.discount.data or 0)

        return self._change(invoice, "add_line", change, {"line": form}) or self._back(invoice, _("Line added"))

    @expose("/lines/<int:pk>/<int:line_id>", methods=["POST"])
    @has_access
    def edit_line(self, pk, line_id):
        """Change (``description``, ``quantity``, ``unit_price``, ...) or, with ``remove``, drop a draft's line."""
        invoice = _load(pk)
        line = next((line for line in invoice.lines if line.id == line_id), None)
        if line is None:
            abort(404)
        form = LineForm()
        removing = request.form.get("remove") == "1"
        if not form.validate_on_submit() and not (removing and FlaskForm().validate_on_submit()):
            return self._page(invoice, {"line": form}, status=400)

        def change():
            if removing:
                invoice.lines.remove(line)
                for position, kept in enumerate(invoice.lines, 1):
                    kept.position = position
            else:
                line.description, line.quantity = form.description.data.strip(), form.quantity.data
                line.unit_price, line.discount = form.unit_price.data, form.discount.data or 0
                line.tax_class = form.tax_class.data
            invoices.recalculate(db.session, invoice)

        message = _("Line removed") if removing else _("Line changed")
        return self._change(invoice, "edit_line", change, {"line": form}) or self._back(invoice, message)

    @expose("/issue/<int:pk>", methods=["POST"])
    @has_access
    def issue_one(self, pk):
        invoice = _load(pk)
        self._csrf()
        return (self._change(invoice, "issue_draft", lambda: invoices.issue(db.session, invoice))
                or self._back(invoice, _("Issued")))

    @expose("/payment/<int:pk>", methods=["POST"])
    @has_access
    def record_payment(self, pk):
        invoice, form = _load(pk), PaymentForm()
        if not form.validate_on_submit():
            return self._page(invoice, {"payment": form}, status=400)
        memo = f"{dict(METHODS)[form.method.data]} {form.received_on.data.isoformat()}"

        def change():
            result = ledger.record_payment(db.session, invoice, form.amount.data, invoice.currency,
                                           form.method.data, form.reference.data.strip(), memo=str(memo),
                                           received_on=form.received_on.data)
            if result.duplicate:
                raise FieldError("reference", _("a %(method)s payment with this reference is recorded already",
                                                method=form.method.data))

        return self._change(invoice, "record_payment", change, {"payment": form}) or self._back(
            invoice, _("Payment recorded"))

    @expose("/apply-credit/<int:pk>", methods=["POST"])
    @has_access
    def apply_credit(self, pk):
        invoice = _load(pk)
        self._csrf()
        amount = None
        try:
            amount = typed_amount(request.form.get("amount"), required=False)
        except FieldError as error:
            return self._page(invoice, errors=[_error_text(error)], status=400)
        return (self._change(invoice, "apply_credit", lambda: ledger.apply_credit(db.session, invoice, amount)
                            ) or self._back(invoice, _("Credit applied")))

    @expose("/credit-note/<int:pk>", methods=["POST"])
    @has_access
    def credit_note(self, pk):
        """A credit note of the quantities typed per line (``quantity-<line id>``; empty or 0: not credited)."""
        invoice = _load(pk)
        form = ReasonForm()
        if not form.validate_on_submit():
            return self._page(invoice, {"reason": form}, status=400)
        chosen = []
        try:
            for line in invoice.lines:
                quantity = typed_amount(request.form.get(f"quantity-{line.id}"), f"quantity-{line.id}",
                                        required=False)
                if quantity:
                    chosen.append({"line_id": line.id, "quantity": quantity})
            if not chosen:
                raise FieldError("lines", _("type the quantity to credit of at least one line"))
        except FieldError as error:
            return self._page(invoice, {"reason": form}, errors=[_error_text(error)], status=400)
        notes = {}

        def change():
            notes["note"] = credit.credit_note(db.session, invoice, chosen, form.reason.data or "Correction")

        return self._change(invoice, "credit_note", change, {"reason": form}) or self._back(
            invoice, _("Credit note %(number)s issued", number=notes["note"].number))

    @expose("/cancel/<int:pk>", methods=["POST"])
    @has_access
    def cancel(self, pk):
        invoice, form = _load(pk), ReasonForm()
        if not form.validate_on_submit():
            return self._page(invoice, {"reason": form}, status=400)
        return (self._change(invoice, "cancel", lambda: invoices.cancel(db.session, invoice, form.reason.data)
                            , {"reason": form}) or self._back(invoice, _("Cancelled")))

    @expose("/send/<int:pk>", methods=["POST"])
    @has_access
    def send(self, pk):
        invoice = db.session.get(Invoice, pk)
        if invoice is None:
            abort(404)
        self._csrf()
        if invoice.status == DRAFT:
            return self._page(invoice, errors=[_("status: a draft is not sent; issue it first")], status=400)
        if not (invoice.buyer or {}).get("email"):
            return self._page(invoice, errors=[_("email: the customer has no e-mail address")], status=400)
        token = uuid.uuid4().hex
        return (self._change(invoice, "send", lambda: mailing.enqueue_resend(db.session, invoice, token))
                or self._back(invoice, _("The mail to %(email)s is queued", email=invoice.buyer["email"])))

    @staticmethod
    def _csrf() -> None:
        if not FlaskForm().validate_on_submit():
            abort(400)

    @staticmethod
    def _back(invoice: Invoice, message):
        flash(message, "success")
        return redirect(url_for("InvoiceView.show", pk=invoice.id))

