"""MPanel's FAB security manager: tenant-aware users, audit of sign-ins,
JWT claims carrying the tenant, and login throttling per IP and per account."""

from __future__ import annotations

from flask import current_app, request
from flask_appbuilder.security.sqla.manager import SecurityManager

from mpanel.core import audit
from mpanel.core.security.api import MPanelSecurityApi
from mpanel.core.security.models import MPanelUser
from mpanel.core.tenancy import current_tenant_id


class MPanelSecurityManager(SecurityManager):
    user_model = MPanelUser
    security_api = MPanelSecurityApi

    def on_user_login(self, user) -> None:
        audit.record(self.session, "login", "User", user.id, actor_id=user.id, actor=user.username)

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        if user is None and username:
            audit.record(self.session, "login_failed", "User", None, {"username": str(username)[:320]},
                         actor_id=None, actor=None)
        return user


def account_key() -> str:
    """Rate-limit key for one account: tenant + submitted username."""
    username = ""
    if request.is_json:
        username = str((request.get_json(silent=True) or {}).get("username", ""))
    else:
        username = request.form.get("username", "")
    return f"account:{current_tenant_id()}:{username.strip().lower()}"


def throttle_logins(app, appbuilder) -> None:
    """Per-IP and per-account limits on both the form and the REST login."""
    limiter = appbuilder.sm.limiter
    for view in (appbuilder.sm.security_api, appbuilder.sm.authdbview):
        bp = app.blueprints[view.__name__]
        # Callables: the limits are read per request, so configuration changes apply at once.
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])(bp)
        limiter.limit(lambda: current_app.config["ACCOUNT_LOGIN_RATE_LIMIT"], key_func=account_key,
                      methods=["POST"])(bp)
