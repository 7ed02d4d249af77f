"""Add-ons and bundles."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from mpanel_catalog import validation
from mpanel_catalog.admin.base import CatalogApi, CatalogModelView
from mpanel_catalog.admin.pricing import CatalogPriceView
from mpanel_catalog.i18n import lazy_gettext as _
from mpanel_catalog.models import Addon, Bundle, BundleItem

ADDON_COLUMNS = ["name", "description", "hidden", "tax_class", "sort_order", "products"]
BUNDLE_COLUMNS = ["name", "slug", "description", "hidden", "tax_class"]
ITEM_COLUMNS = ["bundle", "product", "cycle", "quantity"]


class CatalogAddonView(CatalogModelView):
    datamodel = SQLAInterface(Addon)
    rules = validation.ADDON
    list_title = _("Add-ons")
    list_columns = ["name", "hidden", "tax_class", "sort_order"]
    search_columns = ["name", "hidden", "products"]
    add_columns = edit_columns = ADDON_COLUMNS
    show_columns = ["id", *ADDON_COLUMNS]
    related_views = [CatalogPriceView]


class CatalogBundleItemView(CatalogModelView):
    datamodel = SQLAInterface(BundleItem)
    rules = validation.BUNDLE_ITEM
    list_title = _("Bundle items")
    list_columns = search_columns = ITEM_COLUMNS
    add_columns = edit_columns = ITEM_COLUMNS
    show_columns = ["id", *ITEM_COLUMNS]


class CatalogBundleView(CatalogModelView):
    datamodel = SQLAInterface(Bundle)
    rules = validation.BUNDLE
    list_title = _("Bundles")
    list_columns = ["name", "slug", "hidden"]
    search_columns = ["name", "slug", "hidden"]
    add_columns = edit_columns = BUNDLE_COLUMNS
    show_columns = ["id", *BUNDLE_COLUMNS]
    related_views = [CatalogBundleItemView, CatalogPriceView]


class CatalogAddonApi(CatalogApi):
    resource_name = "catalog-addons"
    datamodel = SQLAInterface(Addon)
    rules = validation.ADDON
    list_columns = show_columns = ["id", *ADDON_COLUMNS[:-1], "products.id"]
    add_columns = edit_columns = ADDON_COLUMNS
    search_columns = ["name", "hidden", "products"]


class CatalogBundleApi(CatalogApi):
    resource_name = "catalog-bundles"
    datamodel = SQLAInterface(Bundle)
    rules = validation.BUNDLE
    list_columns = show_columns = ["id", *BUNDLE_COLUMNS]
    add_columns = edit_columns = BUNDLE_COLUMNS
    search_columns = ["name", "slug", "hidden"]


class CatalogBundleItemApi(CatalogApi):
    resource_name = "catalog-bundle-items"
    datamodel = SQLAInterface(BundleItem)
    rules = validation.BUNDLE_ITEM
    list_columns = show_columns = ["id", "bundle.id", "product.id", "cycle", "quantity"]
    add_columns = edit_columns = ITEM_COLUMNS
    search_columns = ITEM_COLUMNS
