"""FAB's sign-in and password views, made to honour the second factor and the
password rules. The password step alone signs nobody in: a pending step (in
the Flask session, as a one-time token) must be finished first."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_appbuilder.security.views import ResetMyPasswordView as FabResetMyPasswordView
from flask_appbuilder.security.views import ResetPasswordView as FabResetPasswordView
from flask_babel import gettext as _

from mpanel.core.security import mfa, notify, onetime, passwords, signin
from mpanel.core.security.forms import CodeForm, SecondFactorForm
from mpanel.core.security.models import MPanelUser
from mpanel.extensions import db
from mpanel.modules.accounts.navigation import home_url, safe_next

PENDING = "_mpanel_pending"  # {"token": raw one-time token, "next": url}


class AuthDBView(FabAuthDBView):
    """Same class name as FAB's, so the ``AuthDBView.login`` endpoint stays."""

    login_template = "security/login.html"

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        requested = safe_next(request.args.get("next"))
        if g.user is not None and g.user.is_authenticated:
            return redirect(requested or home_url(g.user))
        form = LoginForm_db()
        if form.validate_on_submit():
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                db.session.commit()  # the failure is audited and counted
                flash(str(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(requested))
            next_url = requested or home_url(user)
            step = signin.next_step(db.session, user)
            if step is None:
                signin.complete(db.session, user, web=True)
                db.session.commit()
                return redirect(next_url)
            session[PENDING] = {"token": signin.begin_step(db.session, user, step), "next": next_url}
            db.session.commit()
            return redirect(url_for(f".{step}"))
        return self.render_template(self.login_template, title=self.title, form=form, appbuilder=self.appbuilder)

    def _pending(self, step: str):
        token, user = signin.pending(db.session, session.get(PENDING, {}).get("token"), step)
        if token is None:
            session.pop(PENDING, None)
            flash(_("Please sign in again."), "warning")
        return token, user

    def _finish(self, user, remember: bool = False) -> str:
        next_url = session.pop(PENDING)["next"]
        signin.complete(db.session, user, web=True, remember_device=remember)
        return next_url

    @expose("/login/mfa/", methods=["GET", "POST"])
    @no_cache
    def mfa(self):
        token, user = self._pending("mfa")
        if token is None:
            return redirect(self.appbuilder.get_url_for_login)
        form = SecondFactorForm()
        if form.validate_on_submit():
            if signin.second_factor(db.session, token, user, form.code.data):
                next_url = self._finish(user, form.remember.data)
                db.session.commit()
                return redirect(next_url)
            db.session.commit()
            flash(_("That code is not valid."), "danger")
        return self.render_template("security/mfa.html", form=form,
                                    remember_days=current_app.config["MFA_REMEMBER_DAYS"])

    @expose("/login/enrol/", methods=["GET", "POST"])
    @no_cache
    def enrol(self):
        """Required two-factor sign-in not set up yet: set it up to get in."""
        token, user = self._pending("enrol")
        if token is None:
            return redirect(self.appbuilder.get_url_for_login)
        form = CodeForm()
        secret = mfa.pending_secret(db.session, user)
        if form.validate_on_submit():
            codes = mfa.confirm(db.session, user, form.code.data)
            if codes is not None and onetime.use(db.session, token):
                notify.event(db.session, "mfa_enabled", user, by_user=True)
                next_url = self._finish(user)
                db.session.commit()
                return self.render_template("security/recovery_codes.html", codes=codes, next_url=next_url)
            signin.failed(db.session, token, user)
            flash(_("That code is not valid."), "danger")
        db.session.commit()  # keeps the pending secret for the next try
        uri, qr_svg = mfa.provisioning(user, secret)
        return self.render_template("security/enrol.html", form=form, secret=secret, uri=uri, qr_svg=qr_svg,
                                    required=True)


class ResetMyPasswordView(FabResetMyPasswordView):
    """A user changes their own password: other sessions end, the user is told."""

    def form_post(self, form) -> None:
        super().form_post(form)
        passwords.changed(db.session, db.session.get(MPanelUser, g.user.id), keep_current=True)
        db.session.commit()


class ResetPasswordView(FabResetPasswordView):
    """An operator sets someone's password: all their sessions end, they are told."""

    def form_post(self, form) -> None:
        super().form_post(form)
        user = db.session.get(MPanelUser, int(request.args.get("pk", 0)))
        if user is not None:
            passwords.changed(db.session, user, keep_current=False)
            db.session.commit()
