"""Staff notifications by mail: each staff member chooses on ``/staff/notifications/``
which events mail them. Plugins send :data:`staff_notice` (from their own receivers of
their own signals: an order placed, a payment received or failed, a registrar action
failed, a ticket opened); the kernel imports no plugin. The mails go through the outbox
in the sender's transaction, one per staff member and event (``key``)."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import object_session

from mpanel.core import mail
from mpanel.core.security.models import MPanelUser
from mpanel.core.settings import get_settings, set_settings
from mpanel.core.signals import tenant_signal
from mpanel.extensions import appbuilder, db

NAMESPACE = "notifications"
EVENTS = {"new_order": _l("New order"), "payment_received": _l("Payment received"),
          "payment_failed": _l("Payment failed"), "action_failed": _l("Registrar or provisioning action failed"),
          "new_ticket": _l("New ticket")}

staff_notice = tenant_signal(
    "staff_notice",
    """Tell the staff who chose it of an event. sender: the object (order, invoice, action);
    kwargs: event (a key of EVENTS), subject, body, key (unique per occurrence: one mail each).""",
)


def chosen(session, user_id: int) -> set[str]:
    return set(get_settings(session, NAMESPACE, {}).get(f"user:{user_id}") or ()) & set(EVENTS)


def choose(session, user_id: int, events) -> None:
    set_settings(session, NAMESPACE, {f"user:{user_id}": sorted(set(events) & set(EVENTS))})


@staff_notice.connect
def _mail(sender, event: str, subject: str, body: str, key: str, **kwargs):
    session = object_session(sender) or db.session
    if event not in EVENTS:
        raise ValueError(f"unknown staff event {event!r}")
    prefs = get_settings(session, NAMESPACE, {})
    staff = session.scalars(select(MPanelUser).where(
        MPanelUser.customer_id.is_(None), MPanelUser.tenant_id.is_not(None), MPanelUser.active.is_(True))
        .order_by(MPanelUser.id)).all()
    for user in staff:
        if event in (prefs.get(f"user:{user.id}") or ()):
            mail.enqueue(session, user.email, subject, body.rstrip() + "\n",
                         dedupe_key=f"staff:{event}:{key}:{user.id}")


blueprint = Blueprint("staff_notifications", __name__, url_prefix="/staff/notifications")


def staff_only(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(appbuilder.get_url_for_login_with(request.path))
        if current_user.tenant_id is None or current_user.customer_id:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


@blueprint.route("/", methods=["GET", "POST"])
@staff_only
def preferences():
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        choose(db.session, current_user.id, request.form.getlist("event"))
        db.session.commit()
        flash(_l("Your notifications are saved"), "success")
        return redirect(url_for("staff_notifications.preferences"))
    return render_template("notifications/preferences.html", appbuilder=appbuilder,
                           base_template=appbuilder.base_template, events=EVENTS,
                           chosen=chosen(db.session, current_user.id), form=form)


def install(app, appbuilder) -> None:
    app.register_blueprint(blueprint)
    appbuilder.add_link("Notifications", href="/staff/notifications/", label=_l("Notifications"), icon="fa-bell",
                        category="Administration")
