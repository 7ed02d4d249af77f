"""Configurable options: option groups (attached to products), options, choices."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from mpanel_catalog import validation
from mpanel_catalog.admin.base import CatalogApi, CatalogModelView
from mpanel_catalog.admin.pricing import CatalogPriceView
from mpanel_catalog.i18n import lazy_gettext as _
from mpanel_catalog.models import Option, OptionChoice, OptionGroup

GROUP_COLUMNS = ["name", "description", "products"]
OPTION_COLUMNS = ["group", "name", "kind", "min_quantity", "max_quantity", "step", "sort_order", "hidden"]
CHOICE_COLUMNS = ["option", "name", "sort_order", "hidden"]


class CatalogOptionChoiceView(CatalogModelView):
    datamodel = SQLAInterface(OptionChoice)
    rules = validation.OPTION_CHOICE
    list_title = _("Option choices")
    list_columns = ["option", "name", "sort_order", "hidden"]
    search_columns = ["option", "name", "hidden"]
    add_columns = edit_columns = CHOICE_COLUMNS
    show_columns = ["id", *CHOICE_COLUMNS]
    related_views = [CatalogPriceView]


class CatalogOptionView(CatalogModelView):
    datamodel = SQLAInterface(Option)
    rules = validation.OPTION
    list_title = _("Options")
    list_columns = ["group", "name", "kind", "sort_order", "hidden"]
    search_columns = ["group", "name", "kind", "hidden"]
    add_columns = edit_columns = OPTION_COLUMNS
    show_columns = ["id", *OPTION_COLUMNS]
    related_views = [CatalogOptionChoiceView]


class CatalogOptionGroupView(CatalogModelView):
    datamodel = SQLAInterface(OptionGroup)
    rules = validation.OPTION_GROUP
    list_title = _("Option groups")
    list_columns = ["name", "products"]
    search_columns = ["name", "products"]
    add_columns = edit_columns = GROUP_COLUMNS
    show_columns = ["id", *GROUP_COLUMNS]
    related_views = [CatalogOptionView]


class CatalogOptionGroupApi(CatalogApi):
    resource_name = "catalog-option-groups"
    datamodel = SQLAInterface(OptionGroup)
    rules = validation.OPTION_GROUP
    list_columns = show_columns = ["id", "name", "description", "products.id"]
    add_columns = edit_columns = GROUP_COLUMNS
    search_columns = ["name", "products"]


class CatalogOptionApi(CatalogApi):
    resource_name = "catalog-options"
    datamodel = SQLAInterface(Option)
    rules = validation.OPTION
    list_columns = show_columns = ["id", "group.id", *OPTION_COLUMNS[1:]]
    add_columns = edit_columns = OPTION_COLUMNS
    search_columns = ["group", "name", "kind", "hidden"]


class CatalogOptionChoiceApi(CatalogApi):
    resource_name = "catalog-option-choices"
    datamodel = SQLAInterface(OptionChoice)
    rules = validation.OPTION_CHOICE
    list_columns = show_columns = ["id", "option.id", "name", "sort_order", "hidden"]
    add_columns = edit_columns = CHOICE_COLUMNS
    search_columns = ["option", "name", "hidden"]
