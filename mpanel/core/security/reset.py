"""Password reset by e-mail, for the tenant users of the host (staff and
customers' contacts; operators reset with ``flask fab reset-password``).

The request page answers the same whether or not the address belongs to an
account, and does the same work: it only queues :func:`send_link`, which looks
the address up and mails a link in the background. The link carries a
single-use token (only its hash is stored) that expires after
``RESET_TOKEN_MINUTES``. A reset ends every session and refresh token of the
account. Both steps are rate-limited per IP and per account (see :func:`throttle`).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from mpanel.core.security import notify, onetime, passwords
from mpanel.core.security.forms import NewPasswordForm, ResetRequestForm
from mpanel.core.security.hashing import digest
from mpanel.core.security.models import MPanelUser, OneTimeToken
from mpanel.core.tasks import tenant_task
from mpanel.core.tenancy import current_tenant_id
from mpanel.extensions import appbuilder, db

blueprint = Blueprint("password_reset", __name__, url_prefix="/security/reset")


def _render(template: str, status: int = 200, **context):
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template,
                           **context), status


@blueprint.route("/", methods=["GET", "POST"])
def request_link():
    form = ResetRequestForm()
    if form.validate_on_submit():
        if current_tenant_id() is not None:
            from mpanel.web.tenant_host import canonical_base_url

            send_link(current_tenant_id(), form.email.data.strip(), request.remote_addr, canonical_base_url(g.tenant))
        return _render("security/message.html", title=_("Check your e-mail"),
                       message=_("If an account uses this address, we have sent it a link to choose a new "
                                 "password. The link works once, for %(minutes)d minutes.",
                                 minutes=current_app.config["RESET_TOKEN_MINUTES"]))
    return _render("security/reset_request.html", form=form)


@tenant_task(retries=2, retry_delay=30)
def send_link(tenant_id: int, email: str, ip: str | None, base_url: str) -> None:
    user = db.session.scalar(select(MPanelUser).where(
        or_(func.lower(MPanelUser.email) == email.lower(), func.lower(MPanelUser.username) == email.lower()),
        MPanelUser.active.is_(True)))
    if user is None:
        return
    lifetime = current_app.config["RESET_TOKEN_MINUTES"]
    raw = onetime.issue(db.session, user.id, "reset", dt.timedelta(minutes=lifetime), ip)
    notify.event(db.session, "password_reset_requested", user, {"ip": ip}, by_user=True)
    notify.tell(db.session, user, _("Choose a new password"),
                _("Someone (hopefully you) asked to reset the password of %(email)s. To choose a new one, open "
                  "this link within %(minutes)d minutes:\n\n%(link)s\n\nIf you did not ask for this, ignore "
                  "this message: your password stays as it is.",
                  email=user.email, minutes=lifetime, link=f"{base_url.rstrip('/')}/security/reset/{raw}"),
                dedupe_key=f"security:reset:{digest(raw)}")


@blueprint.route("/<token>", methods=["GET", "POST"])
def confirm(token: str):
    row = onetime.find(db.session, token, "reset")
    user = db.session.get(MPanelUser, row.user_id) if row else None
    if user is None or not user.is_active:
        return _render("security/message.html", 400, title=_("Link not valid"),
                       message=_("This link has expired or was used already. Ask for a new one."))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.check(form.password.data, user)
        except ValueError as exc:
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            if onetime.use(db.session, row):
                onetime.use_all(db.session, user.id, "reset")
                passwords.set_password(user, form.password.data)
                passwords.changed(db.session, user, keep_current=False, action="password_reset")
                db.session.commit()
                flash(_("Your password was changed. Sign in with the new one."), "success")
                return redirect(appbuilder.get_url_for_login)
    return _render("security/reset_confirm.html", form=form)


def _account_key() -> str:
    """Per-account limit key: the account a reset link belongs to (whether or
    not still valid), else the address asked for."""
    token = (request.view_args or {}).get("token")
    if token:
        user_id = db.session.scalar(select(OneTimeToken.user_id).where(OneTimeToken.token_hash == digest(token)))
        ident = f"user:{user_id}" if user_id else f"token:{digest(token)}"
    else:
        ident = "email:" + request.form.get("email", "").strip().lower()
    return f"reset:{current_tenant_id()}:{ident}"


def throttle(app, limiter) -> None:
    bp = app.blueprints[blueprint.name]
    limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])(bp)
    limiter.limit(lambda: current_app.config["RESET_ACCOUNT_RATE_LIMIT"], key_func=_account_key,
                  methods=["POST"])(bp)
