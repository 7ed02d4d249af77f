"""``/signup/``: customers sign up on their tenant's host and verify their
address; throttled per IP and per address (:func:`throttle`)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from mpanel.core.errors import FieldError
from mpanel.core.signals.tenancy import customer_created
from mpanel.core.tenancy import current_tenant_id
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import settings as account_settings
from mpanel.modules.accounts import signup
from mpanel.modules.accounts.forms import SignupForm
from mpanel.modules.accounts.navigation import home_url

blueprint = Blueprint("accounts_signup", __name__, url_prefix="/signup")


def _render(template: str, status: int = 200, **context):
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template,
                           **context), status


def _message(title: str, message: str, status: int = 200):
    return _render("security/message.html", status, title=title, message=message)


@blueprint.route("/", methods=["GET", "POST"])
def form():
    tenant = g.get("tenant")
    if tenant is None:
        abort(404)  # the platform has no customers
    if account_settings.signup_mode(db.session) == "closed":
        return _message(_("Sign-up is closed"), _("New accounts are not open here. Please contact us."), 403)
    form = SignupForm(language=request.accept_languages.best_match(current_app.config["LANGUAGES"]) or
                      tenant.locale, country=tenant.country)
    terms = account_settings.get(db.session)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render("accounts/signup.html", 400, form=form, terms=terms)
        try:
            customer = signup.register(db.session, tenant, form.data, request.remote_addr, request.host_url)
            db.session.commit()
        except FieldError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors = [*getattr(form, exc.field).errors, exc.message]
            return _render("accounts/signup.html", exc.status, form=form, terms=terms)
        except IntegrityError:  # the address was taken meanwhile: the same answer
            db.session.rollback()
            customer = None
        if customer is not None:
            customer_created.send(customer)
        return _message(_("Check your e-mail"),
                        _("We have sent a message to the address you entered. Open the link in it to confirm "
                          "the address; then you can sign in."))
    return _render("accounts/signup.html", form=form, terms=terms)


@blueprint.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    """GET shows a button (mail scanners that open links verify nothing); POST verifies."""
    if request.method == "GET":
        return _render("accounts/verify.html", form=FlaskForm())
    if not FlaskForm().validate_on_submit():
        abort(400)
    user = signup.verify(db.session, token)
    if user is None:
        return _message(_("Link not valid"), _("This link has expired or was used already. Sign in to ask for "
                                               "a new one."), 400)
    db.session.commit()
    flash(_("Your e-mail address is confirmed."), "success")
    return redirect(home_url(current_user) if current_user.is_authenticated else appbuilder.get_url_for_login)


@blueprint.route("/verify/resend", methods=["POST"])
def resend():
    if not current_user.is_authenticated or not current_user.customer_id or not FlaskForm().validate_on_submit():
        abort(404)
    if not current_user.email_verified:
        signup.send_verification(db.session, current_user, request.remote_addr, request.host_url)
        db.session.commit()
        flash(_("We have sent you a new link."), "info")
    return redirect(home_url(current_user))


def _address_key() -> str:
    """The submitted address (the page's form or the REST body): both count together."""
    data = (request.get_json(silent=True) or {}) if request.is_json else request.form
    email = data.get("email") if hasattr(data, "get") else ""
    return f"signup:{current_tenant_id()}:{str(email or '').strip().lower()}"


def _ip_key() -> str:
    return f"signup-ip:{current_tenant_id()}:{request.remote_addr}"


def throttle(app, limiter) -> None:
    bp = app.blueprints[blueprint.name]
    limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], key_func=_ip_key, methods=["POST"])(bp)
    limiter.limit(lambda: current_app.config["SIGNUP_ACCOUNT_RATE_LIMIT"], key_func=_address_key,
                  methods=["POST"])(bp)
