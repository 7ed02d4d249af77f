"""``POST /webhooks/stripe/<tenant slug>/<webhook token>``.

The URL names the tenant; nothing in the payload is trusted for that. The
token must match the tenant's, the signature is checked with that tenant's
endpoint secret (300 s tolerance), and the event's mode and account must be
the tenant's. The event is stored once per id and processed from the outbox,
so the answer is quick and a replay changes nothing. Bad input is a 4xx, never a 500.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, g, jsonify, request
from mpanel_billing.gateways import events
from mpanel_billing.gateways.base import GatewayError
from mpanel_billing.gateways.registry import get_gateway
from sqlalchemy import select

from mpanel.core.plugins.engine import active_plugin_names
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.tenants.models import Tenant
from mpanel_gateway_stripe.plugin import NAME

blueprint = Blueprint("gateway_stripe_webhooks", __name__)
MAX_BODY = 512 * 1024


@blueprint.route("/webhooks/stripe/<slug>/<token>", methods=["POST"])
def receive(slug: str, token: str):
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug, Tenant.active.is_(True)))
    if tenant is None or (g.get("tenant") is not None and g.tenant.id != tenant.id):
        abort(404)
    if (request.content_length or 0) > MAX_BODY:
        return jsonify(error="the event is too large"), 413
    with tenant_scope(tenant.id, session=db.session):
        if NAME not in active_plugin_names(db.session):
            abort(404)
        gateway = get_gateway(db.session, NAME)
        if not hmac.compare_digest(token.encode(), str(gateway.settings.get("webhook_token") or "").encode()) \
                or not gateway.settings.get("webhook_token"):
            abort(404)
        try:
            event = gateway.verify_webhook(request.get_data(), request.headers)
        except GatewayError as exc:
            return jsonify(error=exc.message), 400
        new = events.receive(db.session, NAME, event)
        db.session.commit()
    return jsonify(received=event.id, duplicate=not new)
