"""Account forms (Flask-WTF, CSRF included). Field rules are the customers'
(``customers.validation``) and the password rules (``security.passwords``)."""

from __future__ import annotations

import pycountry
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from mpanel.modules.customers.validation import check_vat_id
from mpanel.web.forms import form_rule


def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


class SignupForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    company = StringField(_l("Company (optional)"), validators=[Optional(), Length(max=200)])
    vat_id = StringField(_l("VAT ID (optional)"), validators=[Optional(), Length(max=32), form_rule(check_vat_id)])
    address1 = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)])
    address2 = StringField(_l("Address (line 2)"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[DataRequired(), Length(max=20)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    language = SelectField(_l("Language"), validators=[DataRequired()])
    accept_terms = BooleanField(_l("I accept the terms of service"),
                                validators=[DataRequired(_l("Accept the terms of service to sign up."))])
    accept_privacy = BooleanField(_l("I have read the privacy policy"),
                                  validators=[DataRequired(_l("Accept the privacy policy to sign up."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.language.choices = [(code, spec["name"]) for code, spec in current_app.config["LANGUAGES"].items()]
