"""Which gateways a tenant can use, and instances bound to it.

Gateways are the loaded plugins whose class has ``gateway_class`` (a
:class:`~.base.PaymentGateway` subclass) and that the tenant has activated.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import object_session

from mpanel.core.errors import FieldError
from mpanel.core.plugins.engine import active_plugin_names, loaded_plugins
from mpanel.core.settings import get_settings
from mpanel.core.tenancy import require_tenant_id
from mpanel.modules.tenants.models import Tenant

from ..models.invoice import INVOICE, OPEN
from .base import MANUAL, PaymentGateway


def gateway_plugins() -> dict:
    """Loaded gateway plugins: name -> Plugin."""
    return {name: plugin for name, plugin in loaded_plugins().items()
            if isinstance(getattr(plugin, "gateway_class", None), type)
            and issubclass(plugin.gateway_class, PaymentGateway)}


def get_gateway(session, name: str) -> PaymentGateway:
    """The gateway ``name`` for the tenant in scope; FieldError("gateway") if unusable."""
    plugin = gateway_plugins().get(name)
    if plugin is None or name not in active_plugin_names(session):
        raise FieldError("gateway", f"{name} is not an active payment gateway")
    return plugin.gateway_class(name, get_settings(session, name, plugin.tenant_settings), session)


def active_gateways(session, currency: str | None = None, feature: str | None = None) -> list[PaymentGateway]:
    """The tenant's usable (active and set up) gateways, optionally only those for
    ``currency`` offering ``feature``."""
    active = active_plugin_names(session)
    found = [get_gateway(session, name) for name in sorted(gateway_plugins()) if name in active]
    return [g for g in found if g.ready and (currency is None or g.supports_currency(currency))
            and (feature is None or g.supports(feature))]


def payment_reference(session, invoice) -> str | None:
    """The reference for documents (PDF, UBL PaymentID): the first active gateway
    that makes one (bank transfer's RF reference), else None (callers use the number)."""
    for gateway in active_gateways(session, invoice.currency, MANUAL):
        reference = gateway.payment_reference(invoice)
        if reference:
            return reference
    return None


def document_reference(invoice) -> str | None:
    """What an invoice's PDF and UBL (``cbc:PaymentID``) ask a transfer to carry: a
    gateway's reference (:func:`payment_reference`) or else the document's number.
    Billing never imports a gateway plugin: without one this is just the number."""
    number = invoice.number or invoice.proforma_number
    session = object_session(invoice)
    if session is None or invoice.kind != INVOICE or not has_app_context():
        return number
    return payment_reference(session, invoice) or number


def payment_instructions(session, invoice) -> list[tuple[str, dict]]:
    """(gateway title, labelled details) of every active manual gateway (bank transfer)
    that can tell how to pay ``invoice`` outside MPanel; empty when none can."""
    if invoice.kind != INVOICE or invoice.status not in OPEN or invoice.amount_due <= 0:
        return []
    found = []
    for gateway in active_gateways(session, invoice.currency, MANUAL):
        details = gateway.instructions(invoice)
        if details:
            found.append((gateway.title, dict(details)))
    return found


def tenant_url(session, path: str) -> str:
    """An absolute URL on the tenant's own host, for mails and provider redirects."""
    tenant = session.scalar(select(Tenant).where(Tenant.id == require_tenant_id()))
    host = tenant.hostnames[0] if tenant.hostnames else f"{tenant.slug}.{current_app.config['BASE_DOMAIN']}"
    scheme = current_app.config.get("PREFERRED_URL_SCHEME") or "https"
    return f"{scheme}://{host}{path}"
