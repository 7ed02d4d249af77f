"""Helpers of the account-security tests."""

import re

import pyotp

from mpanel.core.security import clock as security_clock
from mpanel.testing.pytest_plugin import csrf_token


def code_at(secret, when):
    return pyotp.TOTP(secret).at(when)


def enable_totp(app, tenant_id, email):
    """Turn TOTP on for a user directly; returns (secret, recovery codes)."""
    from mpanel.core.security import mfa
    from mpanel.core.security.models import MPanelUser
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db

    with app.app_context(), tenant_scope(tenant_id, session=db.session):
        user = db.session.query(MPanelUser).filter_by(username=email).one()
        secret = mfa.pending_secret(db.session, user)
        db.session.flush()
        codes = mfa.confirm(db.session, user, pyotp.TOTP(secret).at(security_clock.now()))
        db.session.commit()
        return secret, codes


def audit_actions(app, tenant_id, action=None):
    from sqlalchemy import select

    from mpanel.core.audit import AuditLog
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db

    with app.app_context(), tenant_scope(tenant_id, session=db.session):
        query = select(AuditLog.action).order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        return list(db.session.scalars(query))


def link_in(message):
    return re.search(r"https?://\S+/security/reset/\S+", message.get_body(("plain",)).get_content()).group(0)


def wrong_code(secret, when):
    """A 6-digit code that is not valid around ``when``."""
    valid = {pyotp.TOTP(secret).at(when, counter_offset=offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def create_key(client, tenant, email, scopes=("read",), allowed_ips="", expires_days=""):
    """Create a key through the account page, as the user would; returns the raw key."""
    tenant.web_login(client, email)
    page = client.get("/security/", base_url=tenant.host).get_data(as_text=True)
    response = client.post("/security/api-keys", base_url=tenant.host, data={
        "name": "integration", "scopes": list(scopes), "allowed_ips": allowed_ips, "expires_days": expires_days,
        "csrf_token": csrf_token(page)})
    assert response.status_code == 200, response.get_data(as_text=True)
    client.get("/logout/", base_url=tenant.host)
    return re.search(r'<code class="api-key">(mpk_[^<]+)</code>', response.get_data(as_text=True)).group(1)
