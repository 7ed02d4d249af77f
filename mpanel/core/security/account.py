"""``/security/``: every signed-in user's own account security: two-factor
sign-in, recovery codes, sessions and devices, API keys."""

from __future__ import annotations

import datetime as dt
import functools

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash

from mpanel.core.security import api_keys, clock, devices, mfa, notify, sessions
from mpanel.core.security.forms import ApiKeyForm, CodeForm, DisableForm
from mpanel.core.security.models import ApiKey, Device, MPanelUser, RefreshToken
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import impersonation

blueprint = Blueprint("account_security", __name__, url_prefix="/security")


def signed_in(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for(f"{appbuilder.sm.auth_view.endpoint}.login", next=request.path))
        g.me = db.session.get(MPanelUser, current_user.id)
        return view(*args, **kwargs)

    return wrapped


def _render(template: str, **context):
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template, **context)


def _back():
    return redirect(url_for(".index"))


def _refused(form) -> bool:
    """POST forms without a valid CSRF token (or fields) change nothing."""
    if not form.validate_on_submit():
        flash(_("The form was not accepted. Please try again."), "danger")
        return True
    return False


def _api_key_form() -> ApiKeyForm:
    form = ApiKeyForm()
    form.scopes.choices = [(name, str(label)) for name, label in api_keys.scopes().items()]
    return form


@blueprint.route("/")
@signed_in
def index():
    me, now = g.me, clock.now()
    refresh = db.session.scalars(select(RefreshToken).where(
        RefreshToken.user_id == me.id, RefreshToken.revoked_at.is_(None), RefreshToken.used_at.is_(None),
        RefreshToken.expires_at > now).order_by(RefreshToken.issued_at.desc())).all()
    return _render("security/account.html", me=me, mfa_on=mfa.enabled(db.session, me),
                   mfa_required=mfa.required(db.session, me), codes_left=mfa.unused_recovery_codes(db.session, me),
                   web_sessions=sessions.active(db.session, me), is_current=sessions.is_current, refresh=refresh,
                   devices=db.session.scalars(select(Device).where(Device.user_id == me.id,
                                                                   Device.revoked_at.is_(None))).all(),
                   keys=db.session.scalars(select(ApiKey).where(ApiKey.user_id == me.id)
                                           .order_by(ApiKey.created_at.desc())).all(),
                   now=now, form=FlaskForm(), key_form=_api_key_form(),
                   staff_visits=impersonation.visits(db.session, me.id) if me.is_contact else [])


@blueprint.route("/2fa/", methods=["GET", "POST"])
@signed_in
def enrol():
    if mfa.enabled(db.session, g.me):
        return _back()
    form = CodeForm()
    secret = mfa.pending_secret(db.session, g.me)
    if form.validate_on_submit():
        codes = mfa.confirm(db.session, g.me, form.code.data)
        if codes is not None:
            notify.event(db.session, "mfa_enabled", g.me)
            db.session.commit()
            return _render("security/recovery_codes.html", codes=codes, next_url=url_for(".index"))
        flash(_("That code is not valid."), "danger")
    db.session.commit()
    uri, qr_svg = mfa.provisioning(g.me, secret)
    return _render("security/enrol.html", form=form, secret=secret, uri=uri, qr_svg=qr_svg, required=False)


@blueprint.route("/2fa/disable", methods=["POST"])
@signed_in
def disable():
    form = DisableForm()
    if _refused(form):
        return _back()
    if mfa.required(db.session, g.me):
        flash(_("Two-factor sign-in is required for your account."), "danger")
    elif not check_password_hash(g.me.password, form.password.data) or not mfa.verify(db.session, g.me,
                                                                                     form.code.data):
        notify.event(db.session, "mfa_failed", g.me, {"while": "disable"})
        flash(_("Password or code not valid."), "danger")
    else:
        mfa.disable(db.session, g.me)
        notify.event(db.session, "mfa_disabled", g.me)
        flash(_("Two-factor sign-in is off."), "success")
    db.session.commit()
    return _back()


@blueprint.route("/2fa/recovery-codes", methods=["POST"])
@signed_in
def recovery_codes():
    form = CodeForm()
    if _refused(form):
        return _back()
    if mfa.verify(db.session, g.me, form.code.data) != "totp":
        notify.event(db.session, "mfa_failed", g.me, {"while": "recovery codes"})
        db.session.commit()
        flash(_("That code is not valid."), "danger")
        return _back()
    codes = mfa.renew_recovery_codes(db.session, g.me)
    notify.event(db.session, "recovery_codes_renewed", g.me)
    db.session.commit()
    return _render("security/recovery_codes.html", codes=codes, next_url=url_for(".index"))


@blueprint.route("/sessions/<int:session_id>/revoke", methods=["POST"])
@signed_in
def revoke_session(session_id):
    if not _refused(FlaskForm()):
        sessions.revoke(db.session, g.me.id, session_id)
        notify.event(db.session, "session_revoked", g.me, {"session": session_id})
        db.session.commit()
    return _back()


@blueprint.route("/sessions/revoke-all", methods=["POST"])
@signed_in
def revoke_all():
    if _refused(FlaskForm()):
        return _back()
    sessions.revoke_all(db.session, g.me.id)
    notify.event(db.session, "sessions_revoked", g.me)
    db.session.commit()
    return redirect(appbuilder.get_url_for_login)


@blueprint.route("/devices/<int:device_id>/forget", methods=["POST"])
@signed_in
def forget_device(device_id):
    if not _refused(FlaskForm()):
        devices.revoke(db.session, g.me.id, device_id)
        notify.event(db.session, "device_forgotten", g.me, {"device": device_id})
        db.session.commit()
    return _back()


@blueprint.route("/api-keys", methods=["POST"])
@signed_in
def create_key():
    form = _api_key_form()
    if g.me.is_operator:
        abort(404)  # keys act inside one tenant; the platform has none
    if _refused(form):
        return _back()
    try:
        networks = api_keys.parse_networks(form.allowed_ips.data or "")
    except ValueError as exc:
        flash(str(exc), "danger")
        return _back()
    expires = clock.now() + dt.timedelta(days=form.expires_days.data) if form.expires_days.data else None
    key, raw = api_keys.create(db.session, g.me, form.name.data, form.scopes.data, expires, networks)
    db.session.commit()
    return _render("security/api_key_created.html", key=key, raw=raw)


@blueprint.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@signed_in
def revoke_key(key_id):
    if not _refused(FlaskForm()):
        key = db.session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.user_id == g.me.id))
        if key is None:
            abort(404)
        api_keys.revoke(db.session, key)
        db.session.commit()
    return _back()
