"""Tax rules and number series in the admin."""

from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import SelectField

from mpanel.modules.customers.validation import check_country
from mpanel.web.crud import TenantModelView
from mpanel.web.forms import form_rule

from ..i18n import lazy_gettext as _
from ..models.numbering import SERIES, NumberSeries
from ..models.tax import CATEGORIES, TaxRule
from ..numbering import check_format
from ..tax.validation import FIELDS, check_rule


def _optional_country(value):
    return check_country(value) if value else None


class TaxRuleView(TenantModelView):
    datamodel = SQLAInterface(TaxRule)
    list_title = _("Tax rules")
    list_columns = add_columns = edit_columns = FIELDS
    search_columns = ["name", "country", "region", "category", "level", "active"]
    base_order = ("country", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "category": SelectField(_("Category"), choices=[(c, c.replace("_", " ")) for c in CATEGORIES])}
    validators_columns = {"country": [form_rule(_optional_country)]}
    label_columns = {"level": _("Level (2: on top of level 1)"), "compound": _("Compound (on net + level 1)")}

    def pre_add(self, item):
        item.country = item.country.upper() if item.country else None
        item.region = item.region or None
        check_rule(item.level, item.compound, item.category, item.rate)

    pre_update = pre_add


class NumberSeriesView(TenantModelView):
    datamodel = SQLAInterface(NumberSeries)
    base_permissions = ["can_list", "can_show", "can_edit", "can_add"]
    list_title = _("Number series")
    list_columns = ["series", "format", "reset_yearly", "year", "last_seq", "last_date"]
    add_columns = ["series", "format", "reset_yearly"]
    edit_columns = ["format", "reset_yearly"]
    add_form_extra_fields = {"series": SelectField(_("Series"), choices=[(s, s.replace("_", " ")) for s in SERIES])}

    def pre_add(self, item):
        check_format(item.format, item.reset_yearly)
        item.last_seq = item.last_seq or 0

    pre_update = pre_add
