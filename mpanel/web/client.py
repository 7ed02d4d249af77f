"""The client area shell: pages for a customer's contacts, and their REST account."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_appbuilder.api import expose, protect
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields

from mpanel.api.base import Api, safe
from mpanel.api.openapi import documented, result
from mpanel.core.plugins.engine import active_plugin_names, loaded_plugins
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import impersonation
from mpanel.modules.customers.models import Customer
from mpanel.web import branding

blueprint = Blueprint("client", __name__, url_prefix="/client", static_folder="static", static_url_path="/static")


def client_page(permission: str | None = None):
    """Decorate a client-area view: signed-in contacts only (others go to the
    login page, staff get 404), optionally with a contact permission (billing,
    technical, domains); ``g.customer`` is the contact's customer."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for(appbuilder.sm.auth_view.endpoint + ".login", next=request.path))
            if not current_user.customer_id:
                abort(404)
            if permission and not current_user.may(permission):
                abort(403)
            g.customer = db.session.get(Customer, current_user.customer_id)
            if g.customer is None:
                abort(404)
            if not g.customer.active:
                return render_client("client/awaiting_approval.html"), 403
            if request.method == "POST" and impersonation.active() and not impersonation.writes_allowed(db.session):
                flash(_("Signed in as this client by staff: read-only."), "warning")
                return redirect(url_for("client.dashboard"))
            if request.method == "POST" and not current_user.email_verified:
                flash(_("Please confirm your e-mail address first: open the link we sent you."), "warning")
                return redirect(url_for("client.dashboard"))
            return view(*args, **kwargs)

        return wrapped

    return decorate


def _visible(permission) -> bool:
    if permission is None:
        return True
    return bool(current_user.is_authenticated and current_user.customer_id and current_user.may(permission))


def client_links() -> list[tuple[str, str]]:
    """(url, label) of the client menu: the kernel's own pages, then each active plugin's
    ``client_links`` (the registry plugins add entries to) that the contact may see, in
    plugin load order. Visitors see the entries without a permission (the storefront)."""
    active = active_plugin_names(db.session)
    own = []
    if current_user.is_authenticated and current_user.customer_id:
        own.append((url_for("client.dashboard"), _("Your account")))
        if current_user.contact_owner:
            own.append((url_for("accounts_contacts.index"), _("Contacts")))
    return own + [(url_for(endpoint), plugin.gettext(label))
                  for name, plugin in loaded_plugins().items() if name in active
                  for endpoint, label, permission in plugin.client_links
                  if _visible(permission)]


def render_client(template: str, **context):
    """Render a client-area or storefront page in the client layout (``client/base.html``):
    the tenant's brand and the client menu."""
    context.setdefault("customer", g.get("customer"))
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template,
                           brand=branding.brand(db.session), client_nav=client_links(), **context)


@blueprint.route("/")
@client_page()
def dashboard():
    return render_client("client/dashboard.html")


class AccountOut(Schema):
    id = fields.Integer(required=True)
    company = fields.String(allow_none=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    vat_id = fields.String(allow_none=True)
    language = fields.String(allow_none=True)


class ClientAccountApi(Api):
    """``/api/v1/client/account``: the calling contact's own customer record."""

    resource_name = "client"

    @expose("/account", methods=["GET"])
    @documented(response=result(AccountOut))
    @protect()
    @safe
    def get(self):
        """The customer account of the signed-in contact."""
        customer = db.session.get(Customer, g.user.customer_id) if g.user.customer_id else None
        if customer is None:
            return self.response_404()
        return self.response(200, result={f: getattr(customer, f) for f in AccountOut().fields})
