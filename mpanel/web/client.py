"""The client area shell: pages for a customer's contacts, and their REST account."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_login import current_user

from mpanel.extensions import appbuilder, db
from mpanel.modules.customers.models import Customer

blueprint = Blueprint("client", __name__, url_prefix="/client")


def current_customer() -> Customer:
    """The signed-in contact's customer, or 404 (staff have no client area)."""
    if not current_user.is_authenticated:
        return None
    if not current_user.customer_id:
        abort(404)
    customer = db.session.get(Customer, current_user.customer_id)
    if customer is None:
        abort(404)
    return customer


@blueprint.route("/")
def dashboard():
    customer = current_customer()
    if customer is None:
        return redirect(url_for(appbuilder.sm.auth_view.endpoint + ".login", next=url_for(".dashboard")))
    g.customer = customer
    return render_template("client/dashboard.html", customer=customer, appbuilder=appbuilder,
                           base_template=appbuilder.base_template)


class ClientAccountApi(BaseApi):
    """``/api/v1/client/account``: the calling contact's own customer record."""

    resource_name = "client"

    @expose("/account", methods=["GET"])
    @protect()
    @safe
    def get(self):
        """The customer account of the signed-in contact.
        ---
        get:
          responses:
            200:
              description: The account
            404:
              $ref: '#/components/responses/404'
        """
        customer = db.session.get(Customer, g.user.customer_id) if g.user.customer_id else None
        if customer is None:
            return self.response_404()
        fields = ("id", "company", "first_name", "last_name", "email", "country", "currency", "vat_id", "language")
        return self.response(200, result={f: getattr(customer, f) for f in fields})
