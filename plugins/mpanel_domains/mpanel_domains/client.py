"""Client-area pages under /client/domains for contacts with the "domains" permission.

The customer scope (ORM criteria and row-level security) limits every query
to the signed-in contact's customer: another customer's domain is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.core.money import format_money
from mpanel.core.plugins.engine import active_plugin_names
from mpanel.extensions import db
from mpanel.web.client import client_page, render_client
from mpanel_domains import actions, contacts, search, service
from mpanel_domains.forms import ContactForm, NameserversForm, OrderForm, ToggleForm
from mpanel_domains.i18n import gettext as _
from mpanel_domains.models import Domain, DomainAction, DomainContact
from mpanel_domains.names import check_auth_code, check_nameservers
from mpanel_domains.registrar import RegistrarError
from mpanel_domains.views import save_changes

blueprint = Blueprint("domains_client", __name__, url_prefix="/client/domains")


def _domain(domain_id: int) -> Domain:
    domain = db.session.scalar(select(Domain).where(Domain.id == domain_id))
    if domain is None:
        abort(404)
    return domain


def _detail(domain: Domain, auth_code: str | None = None):
    pending = db.session.scalars(select(DomainAction).where(DomainAction.domain_id == domain.id)
                                 .order_by(DomainAction.id.desc()).limit(10)).all()
    return render_client("domains/client_domain.html", domain=domain, actions=pending, auth_code=auth_code,
                         toggle=ToggleForm(), ns_form=NameserversForm(nameservers=domain.nameserver_text))


def _save(domain: Domain, message: str):
    save_changes(db.session, domain)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".show", domain_id=domain.id))


@blueprint.route("/")
@client_page("domains")
def index():
    domains = db.session.scalars(select(Domain).order_by(Domain.name)).all()
    return render_client("domains/client_list.html", domains=domains)


def _orderable() -> bool:
    """Orders go through billing's checkout, priced by the catalogue."""
    return {"billing", "catalog"} <= active_plugin_names(db.session)


def _prices(results) -> dict[str, str]:
    """TLD -> the customer's price to register (available) or transfer (taken) for a year."""
    from mpanel_catalog.calculator import quote_domain

    prices = {}
    for result in results:
        action = "register" if result.available else "transfer"
        key = f"{result.tld}:{action}"
        if result.available is None or key in prices:
            continue
        try:
            quote = quote_domain(db.session, result.tld, action, 1, customer=g.customer)
        except ValueError:  # not in the price list (or not for a year): not orderable here
            continue
        taxed = quote.prices_include_tax or quote.tax_exempt
        shown = format_money(quote.total, quote.currency)
        prices[key] = shown if taxed else _("%(amount)s plus tax", amount=shown)
    return prices


def _search_page(query: str, error: str | None = None, form: OrderForm | None = None, status: int = 200):
    results = []
    if query:
        try:
            results = search.search(db.session, query)
        except FieldError as exc:
            error = error or exc.message
    orderable = _orderable()
    prices = _prices(results) if orderable else {}
    return render_client("domains/client_search.html", query=query, results=results, error=error,
                         prices=prices, orderable=orderable, form=form or OrderForm()), status


@blueprint.route("/search")
@client_page("domains")
def find():
    return _search_page(request.args.get("q", "").strip())


@blueprint.route("/order", methods=["POST"])
@client_page("domains")
def order():
    """Order a domain (register, or transfer with its code) through billing's checkout;
    bad input answers 400 with the field named, and nothing is billed or sent."""
    form = OrderForm()
    if not form.validate_on_submit() or not _orderable():
        abort(400)
    from mpanel_billing.orders.checkout import checkout

    action = form.action.data or "register"
    auth_code = form.auth_code.data or None
    line = {"domain": form.name.data or "", "action": action, "years": (form.years.data or "").strip()}
    try:
        if action == "transfer":
            line["auth_code"] = check_auth_code(form.auth_code.data or "")
        elif auth_code is not None:
            raise FieldError("auth_code", _("A transfer code is only needed to transfer a domain"))
        placed = checkout(db.session, g.customer, [line])
    except ValueError as exc:  # the domains', the catalogue's and billing's field errors
        if not hasattr(exc, "field"):
            raise
        db.session.rollback()
        field = exc.field.removeprefix("lines[0].")
        if field in form:
            form[field].errors = [*form[field].errors, exc.message]
        return _search_page(form.name.data or "", _("%(field)s: %(message)s", field=field, message=exc.message),
                            form, 400)
    db.session.commit()
    flash(_("Your order is placed; the domain is requested once the invoice is paid."), "success")
    return redirect(url_for("billing_client.invoice", pk=placed.invoice_id))


@blueprint.route("/<int:domain_id>")
@client_page("domains")
def show(domain_id):
    return _detail(_domain(domain_id))


@blueprint.route("/<int:domain_id>/nameservers", methods=["POST"])
@client_page("domains")
def nameservers(domain_id):
    domain, form = _domain(domain_id), NameserversForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        domain.nameservers = check_nameservers(form.nameservers.data or "")
    except FieldError as exc:
        flash(exc.message, "danger")
        return _detail(domain), 400
    return _save(domain, _("Name servers saved; the registry is being updated."))


@blueprint.route("/<int:domain_id>/<any(lock, auto_renew):setting>", methods=["POST"])
@client_page("domains")
def toggle(domain_id, setting):
    domain, form = _domain(domain_id), ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    attribute = {"lock": "registrar_lock", "auto_renew": "auto_renew"}[setting]
    setattr(domain, attribute, form.enabled)
    return _save(domain, _("Saved."))


@blueprint.route("/<int:domain_id>/auth-code", methods=["POST"])
@client_page("domains")
def auth_code(domain_id):
    domain = _domain(domain_id)
    if not ToggleForm().validate_on_submit():
        abort(400)
    try:
        code = service.reveal_auth_code(db.session, domain)
    except (RegistrarError, FieldError) as exc:
        db.session.rollback()
        flash(_("The transfer code is not available right now: %(reason)s", reason=str(exc)), "danger")
        return redirect(url_for(".show", domain_id=domain_id))
    db.session.commit()
    return _detail(domain, auth_code=code)


@blueprint.route("/<int:domain_id>/contacts/<int:contact_id>", methods=["GET", "POST"])
@client_page("domains")
def contact(domain_id, contact_id):
    domain = _domain(domain_id)
    item = db.session.scalar(select(DomainContact).where(DomainContact.id == contact_id))
    if item is None or item not in domain.contacts().values():
        abort(404)
    form = ContactForm(obj=item)
    status = 200
    if form.validate_on_submit():
        try:
            values = contacts.clean({f: getattr(form, f).data for f in contacts.FIELDS})
        except FieldError as exc:
            getattr(form, exc.field).errors.append(exc.message)
            status = 400
        else:
            for key, value in values.items():
                setattr(item, key, value)
            actions.queue_contact_update(db.session, item)
            db.session.commit()
            flash(_("Contact saved; the registry is being updated."), "success")
            return redirect(url_for(".show", domain_id=domain.id))
    elif request.method == "POST":
        abort(400)
    return render_client("domains/client_contact.html", domain=domain, contact=item, form=form), status
