"""``/invitation/<token>``: the invitee chooses a password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template
from flask_babel import gettext as _

from mpanel.core.security.forms import NewPasswordForm
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import invitations

blueprint = Blueprint("accounts_invitation", __name__, url_prefix="/invitation")


def _render(template: str, status: int = 200, **context):
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template,
                           **context), status


@blueprint.route("/<token>", methods=["GET", "POST"])
def accept(token: str):
    row, user = invitations.pending(db.session, token)
    if row is None:
        return _render("security/message.html", 400, title=_("Link not valid"),
                       message=_("This invitation has expired or was used already. Ask for a new one."))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accepted = invitations.accept(db.session, row, user, form.password.data)
        except ValueError as exc:
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            if accepted:
                db.session.commit()
                flash(_("Your password is set. Sign in with it."), "success")
                return redirect(appbuilder.get_url_for_login)
    return _render("accounts/invitation.html", form=form, email=user.email)
