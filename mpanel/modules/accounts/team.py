"""``/staff/team/``: a tenant's Owners and Admins invite staff with a role,
change roles, deactivate and reactivate them, and reset their second factor
(audited). Only an Owner grants or takes the Owner role, and the last active
Owner stays one."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from mpanel.core.security import mfa, notify, sessions
from mpanel.core.security.hashing import new_token
from mpanel.core.security.models import MPanelUser
from mpanel.core.security.roles import TENANT_ROLES
from mpanel.core.security.users import create_user
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import invitations
from mpanel.modules.accounts.signup import address_in_use, tell_known_address

blueprint = Blueprint("accounts_team", __name__, url_prefix="/staff/team")
MANAGERS = ("Owner", "Admin")


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320), Email()])
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=64)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("Role"), choices=[(r, r) for r in TENANT_ROLES], validators=[DataRequired()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r, r) for r in TENANT_ROLES], validators=[DataRequired()])


def _roles(user) -> set[str]:
    return {role.name for role in user.roles}


def manager(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(appbuilder.get_url_for_login_with(request.path))
        if current_user.tenant_id is None or current_user.customer_id or not _roles(current_user) & set(MANAGERS):
            abort(404)
        g.me = db.session.get(MPanelUser, current_user.id)
        return view(*args, **kwargs)

    return wrapped


def _staff(user_id: int) -> MPanelUser:
    user = db.session.scalar(select(MPanelUser).where(MPanelUser.id == user_id, MPanelUser.customer_id.is_(None)))
    if user is None:
        abort(404)
    return user


def _active_owners(excluding: int) -> int:
    return sum(1 for u in db.session.scalars(select(MPanelUser).where(
        MPanelUser.customer_id.is_(None), MPanelUser.active.is_(True), MPanelUser.id != excluding))
        if "Owner" in _roles(u))


def _may_manage(target: MPanelUser, new_role: str | None = None) -> str | None:
    """Why the signed-in manager may not change ``target`` (None: they may)."""
    if "Owner" not in _roles(g.me) and ("Owner" in _roles(target) or new_role == "Owner"):
        return _("Only an Owner can change an Owner or grant the Owner role.")
    return None


def _render(**context):
    team = db.session.scalars(select(MPanelUser).where(MPanelUser.customer_id.is_(None))
                              .order_by(MPanelUser.email)).all()
    return render_template("accounts/team.html", appbuilder=appbuilder, base_template=appbuilder.base_template,
                           team=team, mfa_on={u.id: mfa.enabled(db.session, u) for u in team},
                           roles=TENANT_ROLES, form=FlaskForm(), **context)


@blueprint.route("/")
@manager
def index():
    return _render(invite=InviteForm())


@blueprint.route("/invite", methods=["POST"])
@manager
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _render(invite=form), 400
    if form.role.data == "Owner" and "Owner" not in _roles(g.me):
        form.role.errors = [_("Only an Owner can grant the Owner role.")]
        return _render(invite=form), 403
    email = form.email.data.strip().lower()
    place = g.tenant.name
    if address_in_use(db.session, email):
        tell_known_address(db.session, email, request.host_url)
    else:
        user = create_user(email, new_token(), form.role.data, form.first_name.data or "", form.last_name.data or "")
        db.session.flush()
        invitations.send(db.session, user, request.host_url, g.me.get_full_name(), place, request.remote_addr)
    db.session.commit()
    flash(_("An invitation is on its way to %(email)s.", email=email), "success")
    return redirect(url_for(".index"))


@blueprint.route("/<int:user_id>/role", methods=["POST"])
@manager
def change_role(user_id: int):
    target, form = _staff(user_id), RoleForm()
    if not form.validate_on_submit():
        abort(400)
    refusal = _may_manage(target, form.role.data)
    if refusal is None and "Owner" in _roles(target) and form.role.data != "Owner" and not _active_owners(target.id):
        refusal = _("The tenant needs at least one active Owner.")
    if refusal:
        flash(refusal, "danger")
        return redirect(url_for(".index")), 303
    target.roles = [appbuilder.sm.find_role(form.role.data)]
    db.session.commit()
    flash(_("%(email)s is now %(role)s.", email=target.email, role=form.role.data), "success")
    return redirect(url_for(".index"))


@blueprint.route("/<int:user_id>/active", methods=["POST"])
@manager
def set_active(user_id: int):
    target = _staff(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    refusal = _may_manage(target)
    if refusal is None and not active and "Owner" in _roles(target) and not _active_owners(target.id):
        refusal = _("The tenant needs at least one active Owner.")
    if refusal:
        flash(refusal, "danger")
        return redirect(url_for(".index")), 303
    target.active = active
    if not active:
        sessions.revoke_all(db.session, target.id)
    notify.event(db.session, "staff_activated" if active else "staff_deactivated", target)
    db.session.commit()
    return redirect(url_for(".index"))


@blueprint.route("/<int:user_id>/reset-2fa", methods=["POST"])
@manager
def reset_mfa(user_id: int):
    target = _staff(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    refusal = _may_manage(target)
    if refusal:
        flash(refusal, "danger")
        return redirect(url_for(".index")), 303
    mfa.disable(db.session, target)
    sessions.revoke_all(db.session, target.id)
    notify.event(db.session, "mfa_reset", target)
    notify.tell(db.session, target, _("Your two-factor sign-in was reset"),
                _("%(who)s reset the two-factor sign-in of %(email)s. Sign in with your password and set it up "
                  "again.", who=g.me.get_full_name(), email=target.email),
                dedupe_key=f"accounts:mfa-reset:{target.id}:{new_token()}")
    db.session.commit()
    flash(_("Two-factor sign-in of %(email)s was reset.", email=target.email), "success")
    return redirect(url_for(".index"))
