"""Administration > Mail and API: the tenant's mail sender (see :mod:`mpanel.core.mail`),
its API rate limit and the browser origins allowed to call the API (CORS)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash
from flask_appbuilder import SimpleFormView
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, BS3TextFieldWidget, Select2Widget
from flask_appbuilder.forms import DynamicForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional, ValidationError

from mpanel.core import audit, mail
from mpanel.core.settings import get_settings, set_settings
from mpanel.core.tenancy import current_tenant_id
from mpanel.extensions import db
from mpanel.web import api_access


def _limit(_form, field):
    if field.data:
        try:
            api_access.check_limit(field.data.strip())
        except ValueError:
            raise ValidationError(_('Write a limit such as "600 per minute".')) from None


def origins(text: str) -> list[str]:
    """One origin a line (``https://app.example.com[:port]``), else ValueError naming it."""
    found = []
    for line in filter(None, (part.strip() for part in text.splitlines())):
        parts = urlsplit(line)
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.path.strip("/") or parts.query:
            raise ValueError(line)
        found.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return found


def _origins(_form, field):
    try:
        origins(field.data or "")
    except ValueError as exc:
        raise ValidationError(_("%(origin)s is not an origin such as https://app.example.com", origin=exc)) from None


class IntegrationForm(DynamicForm):
    sender_mode = SelectField(_l("Send mail"), widget=Select2Widget(), choices=[
        ("platform", _l("From the platform's address, replies to ours")),
        ("tenant", _l("From our address (our domain authorises the platform's mail server)"))])
    from_address = StringField(_l("Our mail address"), [Optional(), Email(), Length(max=254)],
                               widget=BS3TextFieldWidget())
    from_name = StringField(_l("Sender name"), [Optional(), Length(max=100)], widget=BS3TextFieldWidget())
    rate_limit = StringField(_l("API rate limit per key or user"), [Optional(), Length(max=60), _limit],
                             widget=BS3TextFieldWidget(), description=_l("Empty: the platform's default."))
    cors_origins = TextAreaField(_l("Browser origins allowed to call the API (one a line)"), [_origins],
                                 widget=BS3TextAreaFieldWidget(), description=_l("Empty: none (CORS off)."))


class IntegrationSettingsView(SimpleFormView):
    route_base = "/settings/integration"
    form = IntegrationForm
    form_title = _l("Mail and API")

    def form_get(self, form):
        if current_tenant_id() is None:
            abort(404)
        values = {**get_settings(db.session, mail.NAMESPACE, mail.TENANT_DEFAULTS),
                  **get_settings(db.session, api_access.NAMESPACE, api_access.TENANT_DEFAULTS)}
        for name in ("sender_mode", "from_address", "from_name", "rate_limit"):
            getattr(form, name).data = values[name]
        form.cors_origins.data = "\n".join(values["cors_origins"])

    def form_post(self, form):
        if current_tenant_id() is None:
            abort(404)
        sender = {"sender_mode": form.sender_mode.data, "from_address": (form.from_address.data or "").strip(),
                  "from_name": (form.from_name.data or "").strip()}
        api = {"rate_limit": (form.rate_limit.data or "").strip(),
               "cors_origins": origins(form.cors_origins.data or "")}
        set_settings(db.session, mail.NAMESPACE, sender)
        set_settings(db.session, api_access.NAMESPACE, api)
        audit.record(db.session, "integration_settings_changed", "Tenant", current_tenant_id(), {**sender, **api})
        db.session.commit()
        flash(_("Settings saved"), "success")
