"""Account security: users and roles on FAB, sign-in with a second factor,
password reset, sessions, API keys, throttling and security events.

:func:`install` wires it into the app after ``appbuilder.post_init()``.
"""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

# Settings with their defaults; ``config.py`` may override them.
DEFAULTS = {
    "MFA_REMEMBER_DAYS": 30,
    "RESET_TOKEN_MINUTES": 30,
    "RESET_RATE_LIMIT": "5 per 15 minute",
    "RESET_ACCOUNT_RATE_LIMIT": "3 per 15 minute",
    "LOCKOUT_THRESHOLD": 5,
    "LOCKOUT_BASE_SECONDS": 60,
    "LOCKOUT_MAX_SECONDS": 900,
    "STAFF_SESSION_IDLE_MINUTES": 30,
    "STAFF_SESSION_MAX_HOURS": 12,
    "CUSTOMER_SESSION_IDLE_MINUTES": 120,
    "CUSTOMER_SESSION_MAX_HOURS": 72,
}
_UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def install(app, appbuilder) -> None:
    from mpanel.core.security import account, admin_views, api_keys, passwords, privileges, reset, role_rules, sessions
    from mpanel.core.security.manager import throttle_logins

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config["FAB_PASSWORD_COMPLEXITY_ENABLED"] = True
    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = passwords.fab_validator
    _protect_forms(app)
    throttle_logins(app, appbuilder)
    app.register_blueprint(account.blueprint)
    app.register_blueprint(reset.blueprint)
    reset.throttle(app, appbuilder.sm.limiter)
    appbuilder.add_view(admin_views.SecurityPolicyView, "Security policy", label=_l("Security policy"),
                        icon="fa-shield", category="Administration")
    appbuilder.add_view(admin_views.SecurityFeedView, "Security feed", label=_l("Security feed"),
                        icon="fa-bell", category="Administration")
    appbuilder.add_link("Account security", href="/security/", label=_l("Account security"), icon="fa-lock")
    sessions.install(app)
    api_keys.install(app, appbuilder)
    privileges.install()
    role_rules.install()


def _protect_forms(app) -> None:
    """CSRF on every state-changing browser request, not only on FAB's forms.

    Requests that carry no session cookie have no ambient authority to abuse
    (REST with a bearer token, webhooks), so they pass; FAB's and MPanel's
    pages always carry one. Registering the extension also makes FAB refuse
    deletes and actions over GET.
    """
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf = CSRFProtect(app)

    @app.before_request
    def check_csrf():
        if request.method in _UNSAFE and app.config["SESSION_COOKIE_NAME"] in request.cookies \
                and not request.path.startswith("/api/"):
            csrf.protect()
