"""Client area: a contact's invoices, one invoice, its PDF, the credit balance and its
history, services (with plan changes and cancellation) and the cart.

The kernel scopes these requests to the signed-in contact's customer (ORM
criteria and row-level security), so another customer's invoice or service is
simply not found. Contacts need the "billing" permission, for services the "services" one. Forms post with a CSRF
token; bad input is shown on the form (400) and nothing is saved.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_wtf import FlaskForm
from sqlalchemy import select

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.plugins.engine import loaded_plugins
from mpanel.extensions import db
from mpanel.web.client import client_page, render_client
from mpanel.web.routing import MAX_ID

from .api.invoices import pdf_response
from .models.invoice import DRAFT, Invoice
from .models.ledger import Account, LedgerEntry
from .orders.checkout import checkout
from .services import changes
from .services import signals as service_signals
from .services.cycles import MONTHS
from .services.models import Service

blueprint = Blueprint("billing_client", __name__, url_prefix="/client/billing")


def _(text: str, **variables) -> str:
    return loaded_plugins()["billing"].gettext(text, **variables)


@blueprint.context_processor
def _billing_gettext():
    # ``_b`` translates with the plugin's catalogue; ``_`` stays the kernel's.
    return {"_b": _}


class CsrfForm(FlaskForm):
    """The pages' POSTs carry a CSRF token and nothing else this form checks."""


def _checked() -> None:
    if not CsrfForm().validate_on_submit():
        abort(400)



def _locale() -> str:
    return str(get_locale() or "en")


def _visible(pk: int) -> Invoice:
    invoice = db.session.get(Invoice, pk)
    if invoice is None or invoice.status == DRAFT:
        abort(404)
    return invoice


@blueprint.route("/")
@client_page("billing")
def invoices():
    rows = db.session.scalars(select(Invoice).where(Invoice.status != DRAFT).order_by(Invoice.id.desc())).all()
    accounts = db.session.scalars(select(Account).where(Account.credit > 0)).all()
    return render_client("billing/client/invoices.html", invoices=rows, accounts=accounts)


@blueprint.route("/<int:pk>")
@client_page("billing")
def invoice(pk: int):
    return render_client("billing/client/invoice.html", invoice=_visible(pk))


@blueprint.route("/<int:pk>/pdf")
@client_page("billing")
def pdf(pk: int):
    response = pdf_response(_visible(pk))
    db.session.commit()  # the PDF, if it was rendered just now
    return response


@blueprint.route("/credit")
@client_page("billing")
def credit():
    """Credit per currency, and the movements of the credit (ledger entries without an invoice)."""
    accounts = db.session.scalars(select(Account).order_by(Account.currency)).all()
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.invoice_id.is_(None))
                                 .order_by(LedgerEntry.id.desc()).limit(200)).all()
    documents = {i.id: i.display_number for i in db.session.scalars(
        select(Invoice).where(Invoice.id.in_({e.document_id for e in entries if e.document_id})))}
    return render_client("billing/client/credit.html", accounts=accounts, entries=entries, documents=documents)


def _service(pk: int) -> Service:
    service = db.session.get(Service, pk)
    if service is None:
        abort(404)
    return service


def _plans() -> list[dict]:
    """The products the customer may order (the catalogue's storefront)."""
    from mpanel_catalog import storefront

    return [product for group in storefront.groups(db.session, g.customer.currency, _locale())
            for product in group["products"]]


@blueprint.route("/services")
@client_page("services")
def services():
    rows = db.session.scalars(select(Service).order_by(Service.id.desc())).all()
    return render_client("billing/client/services.html", services=rows)


def _service_page(service: Service, quote=None, error=None, status=200):
    panels = [html for _, html in service_signals.client_service_panels.send(service) if html]
    return render_client("billing/client/service.html", service=service, plans=_plans(), cycles=list(MONTHS),
                         panels=panels,
                         quote=quote, error=error, form=CsrfForm()), status


@blueprint.route("/services/<int:pk>")
@client_page("services")
def service(pk: int):
    """The service; with ``?product=&cycle=`` also what changing to that plan would cost."""
    service = _service(pk)
    if "product" not in request.args:
        return _service_page(service)
    try:
        quote = changes.quote_change(db.session, service, request.args.get("product"), request.args.get("cycle"))
    except FieldError as error:
        return _service_page(service, error=error, status=400)
    return _service_page(service, quote=quote)


@blueprint.route("/services/<int:pk>/change", methods=["POST"])
@client_page("services")
def change(pk: int):
    _checked()
    service = _service(pk)
    try:
        result = changes.change_product(db.session, service, request.form.get("product"), request.form.get("cycle"))
        db.session.commit()
    except FieldError as error:
        db.session.rollback()
        return _service_page(_service(pk), error=error, status=400)
    if result.invoice is not None:
        flash(_("Your plan was changed; here is the invoice for the rest of the period."), "success")
        return redirect(url_for(".invoice", pk=result.invoice.id))
    flash(_("Your plan change was saved.") if result.quote.mode == changes.PERIOD_END
          else _("Your plan was changed."), "success")
    return redirect(url_for(".service", pk=pk))


@blueprint.route("/services/<int:pk>/cancel", methods=["POST"])
@client_page("services")
def cancel(pk: int):
    _checked()
    service = _service(pk)
    try:
        changes.request_cancellation(db.session, service, request.form.get("when", ""))
        db.session.commit()
    except FieldError as error:
        db.session.rollback()
        return _service_page(_service(pk), error=error, status=400)
    flash(_("Your cancellation request was saved."), "success")
    return redirect(url_for(".service", pk=pk))


def _cart_item(values) -> dict:
    """The order line of the cart form (product, cycle, option-<id>, addon)."""
    return {"product": values.get("product"), "cycle": values.get("cycle"),
            "options": {key.removeprefix("option-"): value for key, value in values.items()
                        if key.startswith("option-") and value != ""},
            "addons": values.getlist("addon")}


def _cart_page(values, error=None, status=200):
    """The cart: the plans, the chosen product's form and the calculator's quote."""
    from mpanel_catalog import storefront
    from mpanel_catalog.calculator import quote_product

    from mpanel.core.errors import FieldError

    item, detail, quote = _cart_item(values), None, None
    coupon = values.get("coupon", "").strip()
    product_id = values.get("product", type=int)
    product_id = product_id if product_id is not None and 0 < product_id <= MAX_ID else None
    product = storefront.product(db.session, product_id) if product_id else None
    if product is not None:
        detail = storefront.product_detail(db.session, product, g.customer.currency, _locale())
        item["cycle"] = item["cycle"] or (detail["cycles"][0]["cycle"] if detail["cycles"] else None)
        if error is None:
            try:
                quote = quote_product(db.session, product.id, item["cycle"], customer=g.customer,
                                      options=item["options"], addons=item["addons"],
                                      coupons=[coupon] if coupon else [], locale=_locale())
            except FieldError as exc:
                error, status = exc, 400
    elif values.get("product"):
        error, status = Conflict("product", _("This product cannot be ordered.")), 404
    return render_client("billing/client/cart.html", plans=_plans(), product=detail, item=item, coupon=coupon,
                         quote=quote, error=error, form=CsrfForm()), status


@blueprint.route("/cart")
@client_page("billing")
def cart():
    return _cart_page(request.args)


@blueprint.route("/cart", methods=["POST"])
@client_page("billing")
def order():
    """Update the price (``action=quote``), or place the order: services, the first invoice
    and the coupon in one transaction."""
    _checked()
    if request.form.get("action") != "order":
        return _cart_page(request.form)
    coupon = request.form.get("coupon", "").strip() or None
    try:
        placed = checkout(db.session, g.customer, [_cart_item(request.form)], coupon=coupon)
        db.session.commit()
    except FieldError as error:
        db.session.rollback()
        return _cart_page(request.form, error=error, status=400)
    flash(_("Thank you for your order."), "success")
    if placed.invoice_id is None:  # a free trial: nothing to pay yet
        return redirect(url_for(".services"))
    return redirect(url_for(".invoice", pk=placed.invoice_id))
