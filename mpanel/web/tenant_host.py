"""Which tenant a request belongs to: the host name for pages, the token for REST."""

from __future__ import annotations

from flask import abort, current_app, g, request
from flask_login import current_user
from sqlalchemy import or_, select

from mpanel.core import tenancy
from mpanel.core.security.api_keys import bearer_scope
from mpanel.extensions import db
from mpanel.modules.tenants.models import Tenant


def tenant_for_host(host: str, base_domain: str):
    """The tenant serving ``host``; None for the platform host; False if unknown."""
    host = host.split(":")[0].lower().rstrip(".")
    if host == base_domain:
        return None
    slug = host[: -len(base_domain) - 1] if host.endswith("." + base_domain) else None
    tenant = db.session.scalar(
        select(Tenant).where(Tenant.active.is_(True), or_(Tenant.slug == slug, Tenant.hostnames.any(host)))
    )
    return tenant or False


def canonical_base_url(tenant) -> str:
    """The tenant's own address for links in mail: its first configured host name, else
    ``<slug>.<BASE_DOMAIN>``; never the request's Host spelling (a trailing dot, another
    case or another of its names). The scheme and a port are the request's."""
    host = tenant.hostnames[0] if tenant.hostnames else f"{tenant.slug}.{current_app.config['BASE_DOMAIN']}"
    port = request.host.rpartition(":")[2] if ":" in request.host else ""
    return f"{request.scheme}://{host.lower()}{':' + port if port.isdigit() else ''}/"


def _push(tenant_id, customer_id=None) -> None:
    g.setdefault("mpanel_scope_tokens", []).append(tenancy.enter_scope(tenant_id, customer_id))
    tenancy.apply_to(db.session)


def _resolve() -> None:
    if request.path.startswith(("/static/", "/appbuilder/static/", "/healthz", "/readyz", "/metrics")):
        return
    bearer = bearer_scope() if request.path.startswith("/api/") else None
    if bearer is not None:
        tenant_id, customer_id = bearer
        _push(tenant_id, customer_id)  # first: the look-up's transaction starts in the token's scope
        g.tenant = db.session.get(Tenant, tenant_id) if tenant_id else None
        if g.tenant is not None and not g.tenant.active:
            abort(401)  # a deactivated tenant's tokens and keys act no more
        return
    tenant = tenant_for_host(request.host, current_app.config["BASE_DOMAIN"])
    if tenant is False:
        abort(404)
    g.tenant = tenant
    _push(tenant.id if tenant else None)


def _customer_scope() -> None:
    """After FAB loaded the user: a customer contact sees only its own account."""
    if "mpanel_scope_tokens" not in g or request.path.startswith("/api/"):
        return
    if current_user.is_authenticated and current_user.customer_id:
        _push(current_user.tenant_id, current_user.customer_id)


def _teardown(_exc=None) -> None:
    for tokens in reversed(g.pop("mpanel_scope_tokens", [])):
        tenancy.leave_scope(tokens)


def install(app) -> None:
    app.before_request(_resolve)
    app.teardown_request(_teardown)


def install_customer_scope(app) -> None:
    app.before_request(_customer_scope)
