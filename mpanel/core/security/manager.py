"""MPanel's FAB security manager: tenant-aware users, audited sign-ins with
temporary locks, JWT claims carrying the tenant (and refused after "sign out
everywhere"), API keys narrowed to their scopes, and login throttling per IP
and per account."""

from __future__ import annotations

from types import SimpleNamespace

from flask import current_app, g, request, session
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import Group
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mpanel.core import audit
from mpanel.core.security import api_keys, devices, lockout
from mpanel.core.security.admin_views import UserDBModelView
from mpanel.core.security.api import MPanelSecurityApi
from mpanel.core.security.auth_views import PENDING, AuthDBView, ResetMyPasswordView, ResetPasswordView
from mpanel.core.security.hashing import digest
from mpanel.core.security.models import MPanelUser, SecurityAccount
from mpanel.core.tenancy import current_tenant_id


class MPanelSecurityManager(SecurityManager):
    user_model = MPanelUser
    security_api = MPanelSecurityApi
    authdbview = AuthDBView
    resetmypasswordview = ResetMyPasswordView
    resetpasswordview = ResetPasswordView
    userdbmodelview = UserDBModelView

    def auth_user_db(self, username, password):
        """The password step. A locked account is refused like a wrong password
        (no oracle), except from a browser the user told to remember them."""
        user = super().auth_user_db(username, password)
        if user is not None and lockout.locked(self.session, user) and not devices.trusted(self.session, user):
            audit.record(self.session, "login_refused_locked", "User", user.id, actor_id=user.id, actor=user.username)
            user = None
        if user is None and username:
            audit.record(self.session, "login_failed", "User", None, {"username": str(username)[:320]},
                         actor_id=None, actor=None)
        return user

    def on_user_login_failed(self, user) -> None:
        lockout.record_failure(self.session, user, "password")

    def load_user_jwt(self, _jwt_header, jwt_data):
        """Refuse tokens issued before the user's last password reset or "sign out everywhere"."""
        account = SecurityAccount.of(self.session, int(jwt_data["sub"]))
        cutoff = account.tokens_valid_after if account is not None else None
        if cutoff is not None and jwt_data.get("issued", jwt_data["iat"]) < cutoff.timestamp():
            return None
        return super().load_user_jwt(_jwt_header, jwt_data)

    def validate_api_key(self, api_key_string):
        """FAB's API-key hook in ``protect()``: the key was checked before the
        request reached the view (:func:`api_keys.authenticate`)."""
        key = g.get("api_key")
        return g.user if key is not None and key.key_hash == digest(api_key_string) else None

    def get_user_by_id(self, pk):
        """The user with its roles and groups in one statement (FAB loads each lazily:
        three statements on every signed-in request)."""
        user = self.user_model
        return self.session.scalars(
            select(user).where(user.id == pk)
            .options(joinedload(user.roles), joinedload(user.groups).joinedload(Group.roles))
        ).unique().one_or_none()

    def is_item_public(self, permission_name, view_name):
        """Public is a builtin role like every other (FAB_ROLES): what anonymous visitors
        may do is answered from code, not with two statements on every request."""
        return self._has_access_builtin_roles(SimpleNamespace(name=self.auth_role_public), permission_name, view_name)

    def has_access(self, permission_name, view_name):
        key = g.get("api_key")
        if key is not None and not api_keys.allows(key, permission_name, view_name):
            return False
        return super().has_access(permission_name, view_name)


def account_key() -> str:
    """Rate-limit key for one account: tenant + submitted username, or for a
    second sign-in step the pending step's token."""
    data = (request.get_json(silent=True) or {}) if request.is_json else request.form
    ident = str(data.get("username", "")).strip().lower()
    pending = str(data.get("mfa_token", "")) or session.get(PENDING, {}).get("token", "")
    if not ident and pending:
        ident = "step:" + digest(pending)
    return f"account:{current_tenant_id()}:{ident}"


def throttle_logins(app, appbuilder) -> None:
    """Per-IP and per-account limits on both the form and the REST login."""
    limiter = appbuilder.sm.limiter
    for view in (appbuilder.sm.security_api, appbuilder.sm.authdbview):
        bp = app.blueprints[view.__name__]
        # Callables: the limits are read per request, so configuration changes apply at once.
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])(bp)
        limiter.limit(lambda: current_app.config["ACCOUNT_LOGIN_RATE_LIMIT"], key_func=account_key,
                      methods=["POST"])(bp)
