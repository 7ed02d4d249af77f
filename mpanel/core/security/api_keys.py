"""API keys for integrators: ``Authorization: Bearer mpk_...`` on ``/api/``.

A key belongs to one user (tenant staff, or a customer's contact, whose
customer it is then bound to) and acts as that user narrowed to its scopes:
"read" allows reading anything the user may read; every other scope allows
everything the user may do on one area's views ("customers" for the kernel's
customer APIs, else one per loaded plugin, e.g. "billing", "domains"). A key may
expire and may be limited to addresses and CIDR ranges (IPv4 and IPv6).

Requests: :func:`bearer_scope` (called by the tenant resolver) finds the key's
tenant and customer through the SECURITY DEFINER function of migration
0002_security; :func:`authenticate` (before_request, once the scope is set)
checks the row itself on every request, so a revocation applies at once.
"""

from __future__ import annotations

import ipaddress

from flask import abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from mpanel.core.security import clock, notify, tokens
from mpanel.core.security.hashing import digest, new_token
from mpanel.core.security.models import ApiKey, MPanelUser
from mpanel.extensions import db

PREFIX = "mpk_"
READ_PERMISSIONS = frozenset({"can_get", "can_info", "can_list", "can_show"})
KERNEL_SCOPES = {"CustomerApi": "customers", "CustomerView": "customers", "ClientAccountApi": "customers"}
TOUCH_EVERY_SECONDS = 60


def presented() -> str | None:
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header[:7].lower() == "bearer " else ""
    return raw if raw.startswith(PREFIX) else None


def bearer_scope() -> tuple[int | None, int | None] | None:
    """(tenant, customer) of the API key or JWT in the Authorization header, or
    None without one; an unknown API key is refused here (401)."""
    raw = presented()
    if raw is None:
        return tokens.scope_from_bearer()
    row = db.session.execute(text("SELECT tenant_id, customer_id FROM mpanel_api_key_scope(:h)"),
                             {"h": digest(raw)}).first()
    if row is None:
        abort(401)
    g.api_key_hash = digest(raw)
    return row.tenant_id, row.customer_id


def authenticate() -> None:
    """before_request: sign the key's user in for FAB's ``protect()``."""
    key_hash = g.pop("api_key_hash", None)
    if key_hash is None:
        return
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))
    now = clock.now()
    if key is None or key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        abort(401)
    user = db.session.get(MPanelUser, key.user_id)
    if user is None or not user.is_active:
        abort(401)
    address = request.remote_addr
    if not ip_allowed(key.allowed_ips, address):
        notify.event(db.session, "api_key_refused", user, {"key": key.prefix, "ip": address})
        db.session.commit()
        abort(403, description="This API key may not be used from this address.")
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > TOUCH_EVERY_SECONDS \
            or key.last_used_ip != address:
        key.last_used_at, key.last_used_ip = now, address
        db.session.commit()
    g.user, g._api_key_user, g.api_key = user, True, key


def ip_allowed(networks, address: str | None) -> bool:
    if not networks:
        return True
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def parse_networks(value: str) -> list:
    """Addresses and CIDR ranges, separated by commas, spaces or lines."""
    networks = []
    for part in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(_l("%(value)s is not an IP address or CIDR range.", value=part)) from None
    return networks


def scopes() -> dict[str, object]:
    """Scope name -> label, for the loaded plugins."""
    names = {"read": _l("Read everything you can read"), "customers": _l("Customers (read and write)")}
    for name in sorted(current_app.extensions["mpanel_plugins"]):
        names[name] = _l("%(area)s (read and write)", area=name.replace("_", " ").capitalize())
    return names


def allows(key: ApiKey, permission: str, view_name: str) -> bool:
    if "read" in key.scopes and permission in READ_PERMISSIONS:
        return True
    return current_app.extensions["mpanel_api_scopes"].get(view_name) in key.scopes


def create(session, user, name: str, scope_names, expires_at=None, allowed_ips=()) -> tuple[ApiKey, str]:
    """A new key for ``user`` (and its customer); the raw key is returned only here."""
    unknown = set(scope_names) - set(scopes())
    if not scope_names or unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}" if unknown else "choose at least one scope")
    raw = PREFIX + new_token()
    key = ApiKey(user_id=user.id, customer_id=user.customer_id, name=name, prefix=raw[:12], key_hash=digest(raw),
                 scopes=sorted(scope_names), allowed_ips=list(allowed_ips), expires_at=expires_at,
                 created_at=clock.now())
    session.add(key)
    session.flush()
    notify.event(session, "api_key_created", user, {"key": key.prefix, "name": name, "scopes": key.scopes,
                                                    "allowed_ips": [str(n) for n in key.allowed_ips]})
    return key, raw


def revoke(session, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        notify.event(session, "api_key_revoked", session.get(MPanelUser, key.user_id), {"key": key.prefix})


def view_scopes(appbuilder) -> dict[str, str]:
    """FAB view name -> scope: kernel customer views, then each plugin's views."""
    packages = {p.package: name for name, p in current_app.extensions["mpanel_plugins"].items()}
    mapping = {}
    for view in appbuilder.baseviews:
        scope = packages.get(type(view).__module__.split(".")[0]) or KERNEL_SCOPES.get(view.class_permission_name)
        if scope:
            mapping[view.class_permission_name] = scope
    return mapping


def install(app, appbuilder) -> None:
    app.config["FAB_API_KEY_ENABLED"] = True
    app.config["FAB_API_KEY_PREFIXES"] = [PREFIX]
    app.extensions["mpanel_api_scopes"] = view_scopes(appbuilder)
    app.before_request(authenticate)
