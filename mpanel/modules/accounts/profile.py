"""``/client/profile``: the customer's own account details, for their contacts."""

from __future__ import annotations

from flask import Blueprint

from mpanel.web.client import client_page, render_client

blueprint = Blueprint("accounts_profile", __name__, url_prefix="/client/profile")


@blueprint.route("/")
@client_page()
def index():
    return render_client("accounts/profile.html")
