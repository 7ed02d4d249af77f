"""Accounts: where each person lands, customer sign-up with e-mail
verification, and the pages around them. :func:`install` wires them in."""

from __future__ import annotations

DEFAULTS = {
    "SIGNUP_RATE_LIMIT": "10 per 15 minute",
    "SIGNUP_ACCOUNT_RATE_LIMIT": "3 per 15 minute",
    "VERIFY_TOKEN_HOURS": 48,
    "INVITATION_DAYS": 7,
}


def install(app, appbuilder) -> None:
    from flask import session
    from flask_babel import get_locale
    from flask_babel import lazy_gettext as _l
    from flask_login import user_logged_out

    from mpanel.extensions import db
    from mpanel.modules.accounts import (
        api,
        contacts_views,
        home,
        impersonation,
        invitation_views,
        profile,
        settings_views,
        signup_views,
        team,
    )

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(home.blueprint)
    app.register_blueprint(signup_views.blueprint)
    app.register_blueprint(profile.blueprint)
    app.register_blueprint(invitation_views.blueprint)
    app.register_blueprint(team.blueprint)
    app.register_blueprint(contacts_views.blueprint)
    app.register_blueprint(settings_views.blueprint)
    appbuilder.add_api(contacts_views.ClientContactsApi)
    appbuilder.add_api(api.SignupApi)
    appbuilder.add_api(api.StaffTeamApi)
    appbuilder.add_link("Staff", href="/staff/team/", label=_l("Staff"), icon="fa-id-badge", category="Administration")
    appbuilder.add_link("Account settings", href="/staff/account-settings/", label=_l("Account settings"),
                        icon="fa-user-plus", category="Administration")
    app.context_processor(lambda: {"current_locale": lambda: str(get_locale()),
                                   "impersonation_writes": lambda: impersonation.writes_allowed(db.session)})
    user_logged_out.connect(lambda _app, **_kw: session.pop(impersonation.SESSION_KEY, None), app)
    signup_views.throttle(app, appbuilder.sm.limiter)
    api.throttle(app, appbuilder.sm.limiter)
