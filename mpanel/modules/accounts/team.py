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
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from mpanel.core.errors import FieldError
from mpanel.core.security import mfa, notify, sessions
from mpanel.core.security.hashing import new_token
from mpanel.core.security.models import MPanelUser
from mpanel.core.security.roles import TENANT_ROLES
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import staff

blueprint = Blueprint("accounts_team", __name__, url_prefix="/staff/team")


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320), Email()])
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=64)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("Role"), choices=[(r, r) for r in TENANT_ROLES], validators=[DataRequired()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r, r) for r in TENANT_ROLES], validators=[DataRequired()])


def manager(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(appbuilder.get_url_for_login_with(request.path))
        if not staff.is_manager(current_user):
            abort(404)
        g.me = db.session.get(MPanelUser, current_user.id)
        return view(*args, **kwargs)

    return wrapped


def _staff(user_id: int) -> MPanelUser:
    user = staff.member(db.session, user_id)
    if user is None:
        abort(404)
    return user


def _refused(exc: FieldError):
    db.session.rollback()
    flash(exc.message, "danger")
    return redirect(url_for(".index")), 303


def _render(**context):
    team = db.session.scalars(staff.team_query().order_by(MPanelUser.email)).all()
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
    email = form.email.data.strip().lower()
    try:
        staff.invite(db.session, g.me, email, form.role.data, form.first_name.data, form.last_name.data,
                     request.host_url, g.tenant.name, request.remote_addr)
    except FieldError as exc:
        db.session.rollback()
        form.role.errors = [exc.message]
        return _render(invite=form), exc.status
    db.session.commit()
    flash(_("An invitation is on its way to %(email)s.", email=email), "success")
    return redirect(url_for(".index"))


@blueprint.route("/<int:user_id>/role", methods=["POST"])
@manager
def change_role(user_id: int):
    target, form = _staff(user_id), RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        staff.change_role(db.session, g.me, target, form.role.data, appbuilder.sm.find_role)
    except FieldError as exc:
        return _refused(exc)
    db.session.commit()
    flash(_("%(email)s is now %(role)s.", email=target.email, role=form.role.data), "success")
    return redirect(url_for(".index"))


@blueprint.route("/<int:user_id>/active", methods=["POST"])
@manager
def set_active(user_id: int):
    target = _staff(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        staff.set_active(db.session, g.me, target, request.form.get("active") == "1")
    except FieldError as exc:
        return _refused(exc)
    db.session.commit()
    return redirect(url_for(".index"))


@blueprint.route("/<int:user_id>/reset-2fa", methods=["POST"])
@manager
def reset_mfa(user_id: int):
    target = _staff(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        staff.check_may_manage(g.me, target)
    except FieldError as exc:
        return _refused(exc)
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
