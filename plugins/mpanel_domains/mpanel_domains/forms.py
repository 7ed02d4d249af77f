"""Client-area forms (Flask-WTF: every POST carries its CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from mpanel_domains.i18n import lazy_gettext as _


class ToggleForm(FlaskForm):
    """Turn a setting on ("1") or off ("0")."""

    value = HiddenField()

    @property
    def enabled(self) -> bool:
        return self.value.data == "1"


class NameserversForm(FlaskForm):
    nameservers = TextAreaField(_("Name servers"), description=_("One host name per line"))


class ContactForm(FlaskForm):
    first_name = StringField(_("First name"))
    last_name = StringField(_("Last name"))
    company = StringField(_("Company"))
    email = StringField(_("E-mail"))
    phone = StringField(_("Phone"), description=_("+country code.number, e.g. +49.301234567"))
    address1 = StringField(_("Address"))
    address2 = StringField(_("Address (line 2)"))
    city = StringField(_("City"))
    postcode = StringField(_("Postcode"))
    region = StringField(_("Region"))
    country = StringField(_("Country (ISO code)"))


class OrderForm(FlaskForm):
    """Order a domain from the search results (checked by billing's checkout)."""

    name = HiddenField()
    action = HiddenField(default="register")  # register or transfer
    years = StringField(_("Years"), default="1")
    auth_code = StringField(_("Transfer (EPP) code"))
