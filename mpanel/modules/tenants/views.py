"""Tenant management for the platform operator only: the list (edit, and
deactivate or reactivate: an inactive tenant's hosts and tokens answer nothing,
its data stays) and ``/operator/tenants/new``, the onboarding form."""

from __future__ import annotations

from zoneinfo import available_timezones

import pycountry
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from mpanel.core.errors import FieldError
from mpanel.core.plugins.engine import loaded_plugins
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts.forms import country_choices
from mpanel.modules.customers.validation import check_country, check_currency
from mpanel.modules.tenants import onboarding
from mpanel.modules.tenants.models import Tenant
from mpanel.modules.tenants.validation import check_slug, check_timezone
from mpanel.web.forms import form_rule

blueprint = Blueprint("tenant_onboarding", __name__, url_prefix="/operator/tenants")


class TenantView(ModelView):
    datamodel = SQLAInterface(Tenant)
    base_permissions = ["can_list", "can_show", "can_edit"]  # new tenants come through onboarding
    list_title = _l("Tenants")
    list_columns = ["name", "slug", "default_currency", "timezone", "country", "locale", "active"]
    edit_columns = ["name", "default_currency", "timezone", "country", "locale", "active"]
    search_columns = ["name", "slug"]
    validators_columns = {
        "slug": [form_rule(check_slug)],
        "default_currency": [form_rule(check_currency)],
        "country": [form_rule(check_country)],
        "timezone": [form_rule(check_timezone)],
    }


class OnboardingForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Slug (host name: <slug>.<base domain>)"), validators=[DataRequired(), Length(max=63)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    locale = SelectField(_l("Language"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    owner_email = EmailField(_l("First owner's e-mail"), validators=[DataRequired(), Length(max=320)])
    owner_name = StringField(_l("First owner's name"), validators=[Optional(), Length(max=128)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.currency.choices = sorted((c.alpha_3, f"{c.alpha_3} {c.name}") for c in pycountry.currencies)
        self.locale.choices = [(code, spec["name"]) for code, spec in current_app.config["LANGUAGES"].items()]
        self.timezone.choices = sorted(available_timezones())


@blueprint.route("/new", methods=["GET", "POST"])
def new():
    if not current_user.is_authenticated:
        return redirect(appbuilder.get_url_for_login_with(request.path))
    if current_user.tenant_id is not None:
        abort(404)
    form = OnboardingForm(currency="EUR", timezone="UTC", country="DE", locale="en")
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            host = request.host.partition(":")
            url = onboarding.tenant_url(form.slug.data, request.scheme, current_app.config["BASE_DOMAIN"],
                                        host[2] or None)
            try:
                tenant = onboarding.onboard(db.session, form.data, list(loaded_plugins()), url,
                                            current_user.get_full_name())
                db.session.commit()
            except FieldError as exc:
                db.session.rollback()
                for field, messages in exc.as_messages().items():
                    getattr(form, field).errors = [*getattr(form, field).errors, *messages]
            else:
                flash(_("Tenant %(name)s is ready at %(url)s; its owner was invited.", name=tenant.name, url=url),
                      "success")
                return redirect(url_for("TenantView.list"))
    return render_template("accounts/onboarding.html", appbuilder=appbuilder, base_template=appbuilder.base_template,
                           form=form), status
