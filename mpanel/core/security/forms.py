"""The account-security forms (Flask-WTF: every one carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "autofocus": True})


class SecondFactorForm(CodeForm):
    remember = BooleanField(_l("Remember this device"))


class DisableForm(CodeForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", message=_l("The passwords differ."))])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    scopes = MultiCheckboxField(_l("Scopes"), validators=[DataRequired()])
    expires_days = IntegerField(_l("Expires after (days, empty: never)"),
                                validators=[Optional(), NumberRange(min=1, max=3650)])
    allowed_ips = TextAreaField(_l("Allowed IP addresses and CIDR ranges (empty: any)"),
                                validators=[Length(max=4000)])


class PolicyForm(FlaskForm):
    require_2fa_all_staff = BooleanField(_l("Require two-factor sign-in for all staff"))
    require_2fa_roles = MultiCheckboxField(_l("Or for these roles"))
