"""The customer's side: the control panel box on billing's service page (through billing's
``client_service_panels`` signal) and the single sign-on redirect into the panel."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from markupsafe import Markup
from mpanel_billing.services import signals
from sqlalchemy import select

from mpanel.extensions import db
from mpanel.web.client import client_page
from mpanel_provisioning.i18n import gettext as _
from mpanel_provisioning.models import ACTIVE, ProvisioningAction, ServiceAccount
from mpanel_provisioning.module import ProvisioningError
from mpanel_provisioning.runner import connect

blueprint = Blueprint("provisioning_client", __name__, url_prefix="/client/provisioning",
                      template_folder="templates")


@signals.client_service_panels.connect
def _panel(service, **kwargs):
    session = db.session
    account = session.scalar(select(ServiceAccount).where(ServiceAccount.service_id == service.id))
    last = session.scalar(select(ProvisioningAction).where(ProvisioningAction.service_id == service.id)
                          .order_by(ProvisioningAction.id.desc()).limit(1))
    if account is None and last is None:
        return None
    # render_template escapes every value: the result is safe HTML
    return Markup(render_template("provisioning/client_panel.html", account=account, last=last, _p=_))  # noqa: S704


@blueprint.route("/services/<int:service_id>/login")
@client_page("services")
def login(service_id: int):
    """A one-time panel session for the customer's own account (RLS: another's is a 404)."""
    account = db.session.scalar(select(ServiceAccount).where(ServiceAccount.service_id == service_id))
    if account is None:
        abort(404)
    if account.status != ACTIVE:
        flash(_("The control panel is not available while the service is %(status)s", status=account.status),
              "warning")
        return redirect(url_for("billing_client.service", pk=service_id))
    try:
        url = connect(account).sso_url(account.username)
    except ProvisioningError:
        flash(_("The control panel cannot be reached just now; please try again later"), "danger")
        return redirect(url_for("billing_client.service", pk=service_id))
    return redirect(url)
