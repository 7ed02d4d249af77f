"""``/staff/account-settings/``: a tenant's Owners and Admins choose the sign-up
mode, the terms and privacy texts with their versions, and whether staff logged
in as a client may submit client-area forms. A bad value is named on the form
and nothing is saved."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from mpanel.core import audit
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import settings
from mpanel.modules.accounts.team import manager

blueprint = Blueprint("accounts_settings", __name__, url_prefix="/staff/account-settings")

LABELS = {
    "signup": _l("Customer sign-up"),
    "terms_text": _l("Terms of service"),
    "terms_version": _l("Version of the terms"),
    "privacy_text": _l("Privacy policy"),
    "privacy_version": _l("Version of the privacy policy"),
    "impersonation_write": _l("Staff logged in as a client may submit forms (orders, payments, changes)"),
    "brand_name": _l("Brand name in the client area (empty: the company's name)"),
    "brand_logo_url": _l("Logo (a path on this host or a data:image URL)"),
    "brand_color": _l("Brand colour (#rrggbb)"),
    "brand_footer": _l("Client area footer (address, legal notes)"),
}
MODES = {"open": _l("Open"), "approval": _l("Open, staff approve new customers"), "closed": _l("Closed")}


def _render(values, errors=None, status=200):
    return render_template("accounts/settings.html", appbuilder=appbuilder, base_template=appbuilder.base_template,
                           values=values, errors=errors or {}, labels=LABELS, modes=MODES,
                           settings=settings.DEFAULTS, form=FlaskForm()), status


@blueprint.route("/")
@manager
def index():
    return _render(settings.get(db.session))


@blueprint.route("/", methods=["POST"])
@manager
def save():
    form = FlaskForm()
    if not form.validate_on_submit():
        return _render(settings.get(db.session), {"csrf_token": _("The form expired; please try again.")}, 400)
    values, errors = settings.parse(request.form)
    if errors:  # show what was typed and why it was refused; nothing is saved
        typed = {**settings.get(db.session), **{key: request.form.get(key, "") for key in settings.DEFAULTS}}
        return _render(typed, errors, 400)
    settings.save(db.session, values)
    audit.record(db.session, "account_settings_changed", "Tenant", None,
                 {key: value for key, value in values.items() if not key.endswith("_text")})
    db.session.commit()
    flash(_("Settings saved"), "success")
    return redirect(url_for(".index"))
