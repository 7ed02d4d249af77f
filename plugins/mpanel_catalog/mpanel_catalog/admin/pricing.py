"""The pricing matrix: one row per (product | option choice | add-on | bundle, currency, cycle)."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from mpanel_catalog import validation
from mpanel_catalog.admin.base import CatalogApi, CatalogModelView
from mpanel_catalog.i18n import lazy_gettext as _
from mpanel_catalog.models import Price

COLUMNS = ["product", "option_choice", "addon", "bundle", "currency", "cycle", "price", "setup_fee"]


class CatalogPriceView(CatalogModelView):
    datamodel = SQLAInterface(Price)
    rules = validation.PRICE
    list_title = _("Prices")
    list_columns = ["owner", "currency", "cycle", "price", "setup_fee"]
    label_columns = {"owner": _("Priced item")}
    search_columns = ["product", "option_choice", "addon", "bundle", "currency", "cycle"]
    add_columns = edit_columns = COLUMNS
    show_columns = ["id", *COLUMNS]


class CatalogPriceApi(CatalogApi):
    resource_name = "catalog-prices"
    datamodel = SQLAInterface(Price)
    rules = validation.PRICE
    list_columns = show_columns = ["id", "product.id", "option_choice.id", "addon.id", "bundle.id", "currency",
                                   "cycle", "price", "setup_fee"]
    add_columns = edit_columns = COLUMNS
    search_columns = ["product", "option_choice", "addon", "bundle", "currency", "cycle"]
