"""A fresh webhook token when a tenant activates the plugin."""

import secrets

from mpanel.core.settings import get_settings, set_settings
from mpanel.core.signals.tenancy import plugin_activated
from mpanel_gateway_stripe.plugin import NAME


@plugin_activated.connect
def _webhook_token(name, **kwargs):
    if name != NAME:
        return
    from mpanel.extensions import db

    if not get_settings(db.session, NAME, {"webhook_token": ""})["webhook_token"]:
        set_settings(db.session, NAME, {"webhook_token": secrets.token_urlsafe(24)})
        db.session.flush()  # while the tenant is in scope
