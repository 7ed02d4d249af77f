"""Client area under /client/billing/payments: pay now (one or several invoices,
by a gateway or from credit), the return from the provider, payment history and
saved payment methods. Contacts need the "billing" permission; the customer
scope makes another customer's invoice, transaction or card a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, make_response, redirect, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.core.money import format_money
from mpanel.core.plugins.engine import loaded_plugins
from mpanel.extensions import db
from mpanel.web import headers
from mpanel.web.client import client_page, render_client

from .. import ledger
from ..models.invoice import INVOICE, OPEN, Invoice
from . import methods, payments
from .base import MANUAL, SAVED_METHODS, SUCCEEDED, Checkout, GatewayError
from .models import PaymentMethod, Transaction
from .registry import active_gateways, get_gateway, payment_instructions, tenant_url

blueprint = Blueprint("billing_payments", __name__, url_prefix="/client/billing/payments", template_folder="templates")


@blueprint.app_template_global("billing_payable")
@blueprint.app_template_test("billing_payable")
def payable(invoice) -> bool:
    """For the client invoice pages: an issued invoice that still expects money ("Pay now")."""
    return invoice.kind == INVOICE and invoice.status in OPEN and invoice.amount_due > 0


@blueprint.app_template_global("billing_payment_instructions")
def instructions(invoice) -> list[tuple[str, dict]]:
    """For the client invoice pages: bank details and reference of the active manual gateways."""
    return payment_instructions(db.session, invoice)


def _(text: str, **variables) -> str:
    return loaded_plugins()["billing"].gettext(text, **variables)


class CsrfForm(FlaskForm):
    """Every POST here carries a CSRF token and nothing else this form checks."""



def _checked() -> None:
    if not CsrfForm().validate_on_submit():
        abort(400)


def _checkout(checkout: Checkout, **context):
    """Render a gateway's checkout, its provider's sources added to the page's CSP."""
    response = make_response(render_client(checkout.template, **checkout.context, **context))
    if checkout.csp:
        policy = headers.CSP.format(nonce=f" 'nonce-{headers.csp_nonce()}'")
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        for name, sources in checkout.csp.items():
            directives[name] = f"{directives[name]} {sources}" if name in directives else sources
        response.headers["Content-Security-Policy"] = "; ".join(f"{k} {v}" for k, v in directives.items())
    return response


def _failed(error: Exception, target: str):
    db.session.rollback()
    flash(error.message if isinstance(error, (FieldError, GatewayError)) else str(error), "danger")
    return redirect(target)


@blueprint.route("/pay")
@client_page("billing")
def pay():
    chosen = set(request.args.getlist("invoice", type=int))
    invoices = [i for i in db.session.scalars(select(Invoice).where(
        Invoice.kind == INVOICE, Invoice.status.in_(OPEN)).order_by(Invoice.due_date, Invoice.id)) if i.amount_due > 0]
    selected = [i for i in invoices if i.id in chosen] or invoices[:1]
    currency = selected[0].currency if selected else g.customer.currency
    gateways = active_gateways(db.session, currency)
    instructions = [(gateway, invoice, gateway.instructions(invoice)) for gateway in gateways
                    if gateway.supports(MANUAL) for invoice in selected]
    return render_client("billing_payments/pay.html", invoices=invoices, selected={i.id for i in selected},
                         gateways=[gw for gw in gateways if not gw.supports(MANUAL)], instructions=instructions,
                         credit=ledger.credit_balance(db.session, g.customer.id, currency), currency=currency,
                         form=CsrfForm())


@blueprint.route("/pay", methods=["POST"])
@client_page("billing")
def start():
    _checked()
    ids = request.form.getlist("invoice", type=int)
    back = url_for(".pay", invoice=ids)
    try:
        gateway = get_gateway(db.session, request.form.get("gateway", ""))
        transaction, checkout = payments.start(db.session, gateway, g.customer, ids,
                                               save_method=request.form.get("save_method") == "1")
    except (FieldError, GatewayError) as error:
        return _failed(error, back)
    if checkout is None:
        if transaction.status == SUCCEEDED:
            flash(_("These invoices are paid already."), "success")
            return redirect(url_for(".history"))
        flash(_("The payment could not be continued; please try again."), "warning")
        return redirect(back)
    return _checkout(checkout, title=_("Pay %(amount)s", amount=format_money(transaction.amount, transaction.currency)),
                     amount=format_money(transaction.amount, transaction.currency))


@blueprint.route("/credit", methods=["POST"])
@client_page("billing")
def credit():
    _checked()
    ids = request.form.getlist("invoice", type=int)
    try:
        applied = payments.pay_with_credit(db.session, g.customer.id, ids)
        db.session.commit()
    except FieldError as error:
        return _failed(error, url_for(".pay", invoice=ids))
    currency = db.session.get(Invoice, ids[0]).currency
    flash(_("%(amount)s of your credit was applied.", amount=format_money(applied, currency)) if applied
          else _("You have no credit."), "success" if applied else "warning")
    return redirect(url_for("billing_client.invoices"))


@blueprint.route("/<int:pk>/return")
@client_page("billing")
def finish(pk: int):
    """The provider sends the customer back here; its word is checked with the provider."""
    transaction = db.session.get(Transaction, pk)
    if transaction is None:
        abort(404)
    try:
        payments.sync(db.session, get_gateway(db.session, transaction.gateway), transaction)
        db.session.commit()
    except (FieldError, GatewayError) as error:
        return _failed(error, url_for(".history"))
    if transaction.status == SUCCEEDED:
        flash(_("Thank you, your payment was received."), "success")
    elif transaction.error:
        flash(transaction.error, "danger")
    else:
        flash(_("Your payment is being processed."), "info")
    return redirect(url_for("billing_client.invoice", pk=transaction.invoice_id))


@blueprint.route("/history")
@client_page("billing")
def history():
    rows = db.session.scalars(select(Transaction).order_by(Transaction.id.desc()).limit(200)).all()
    return render_client("billing_payments/history.html", transactions=rows)


@blueprint.route("/methods")
@client_page("billing")
def saved_methods():
    gateways = active_gateways(db.session, feature=SAVED_METHODS)
    modes = {gw.name: gw.test_mode for gw in gateways}
    rows = [m for m in methods.active(db.session, g.customer.id) if modes.get(m.gateway) == m.test_mode]
    return render_client("billing_payments/methods.html", methods=rows, gateways=gateways, form=CsrfForm())


@blueprint.route("/methods/add", methods=["POST"])
@client_page("billing")
def add_method():
    _checked()
    try:
        gateway = get_gateway(db.session, request.form.get("gateway", ""))
        back = tenant_url(db.session, url_for(".method_added", gateway=gateway.name))
        checkout = gateway.start_setup(g.customer, back)
        db.session.commit()
    except (FieldError, GatewayError) as error:
        return _failed(error, url_for(".saved_methods"))
    return _checkout(checkout, title=_("Add a card"), amount=None)


@blueprint.route("/methods/added")
@client_page("billing")
def method_added():
    try:
        gateway = get_gateway(db.session, request.args.get("gateway", ""))
        saved = gateway.finish_setup(g.customer)
        if saved is not None:
            methods.save(db.session, g.customer.id, gateway.name, saved)
        db.session.commit()
    except (FieldError, GatewayError) as error:
        return _failed(error, url_for(".saved_methods"))
    flash(_("Your card was saved.") if saved else _("The card was not saved."), "success" if saved else "danger")
    return redirect(url_for(".saved_methods"))


def _method(pk: int) -> PaymentMethod:
    method = db.session.get(PaymentMethod, pk)
    if method is None or method.removed_at is not None:
        abort(404)
    return method


@blueprint.route("/methods/<int:pk>/remove", methods=["POST"])
@client_page("billing")
def remove_method(pk: int):
    _checked()
    try:
        methods.remove(db.session, _method(pk))
        db.session.commit()
    except (FieldError, GatewayError) as error:
        return _failed(error, url_for(".saved_methods"))
    flash(_("The card was removed."), "success")
    return redirect(url_for(".saved_methods"))


@blueprint.route("/methods/<int:pk>/default", methods=["POST"])
@client_page("billing")
def default_method(pk: int):
    _checked()
    methods.make_default(db.session, _method(pk))
    db.session.commit()
    return redirect(url_for(".saved_methods"))
