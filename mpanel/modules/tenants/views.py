"""Tenant management for the platform operator only."""

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from mpanel.modules.customers.validation import check_country, check_currency
from mpanel.modules.tenants.models import Tenant
from mpanel.modules.tenants.validation import check_slug, check_timezone
from mpanel.web.forms import form_rule


class TenantView(ModelView):
    datamodel = SQLAInterface(Tenant)
    list_title = _("Tenants")
    list_columns = ["name", "slug", "default_currency", "timezone", "country", "locale", "active"]
    add_columns = edit_columns = ["name", "slug", "default_currency", "timezone", "country", "locale", "active"]
    search_columns = ["name", "slug"]
    validators_columns = {
        "slug": [form_rule(check_slug)],
        "default_currency": [form_rule(check_currency)],
        "country": [form_rule(check_country)],
        "timezone": [form_rule(check_timezone)],
    }
