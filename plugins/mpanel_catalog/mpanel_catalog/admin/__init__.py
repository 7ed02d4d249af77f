"""Registering the catalogue's admin views (menu "Catalogue") and REST APIs."""

from mpanel_catalog.admin import coupons, extras, options, pricing, products, tlds
from mpanel_catalog.api.client import ClientCatalogApi
from mpanel_catalog.api.quotes import CatalogQuoteApi
from mpanel_catalog.i18n import lazy_gettext as _

CATEGORY = "Catalog"  # menu names start with it, so one permission regex covers them
# (view, menu name, label, icon); menu names are permission names, labels are shown.
MENU = [
    (products.CatalogProductGroupView, "Catalog product groups", _("Product groups"), "fa-folder"),
    (products.CatalogProductView, "Catalog products", _("Products"), "fa-cube"),
    (pricing.CatalogPriceView, "Catalog prices", _("Prices"), "fa-tag"),
    (options.CatalogOptionGroupView, "Catalog option groups", _("Option groups"), "fa-sliders"),
    (options.CatalogOptionView, "Catalog options", _("Options"), "fa-list"),
    (extras.CatalogAddonView, "Catalog add-ons", _("Add-ons"), "fa-plus-square"),
    (extras.CatalogBundleView, "Catalog bundles", _("Bundles"), "fa-cubes"),
    (coupons.CatalogCustomerGroupView, "Catalog customer groups", _("Customer groups"), "fa-users"),
    (coupons.CatalogCouponView, "Catalog coupons", _("Coupons"), "fa-ticket"),
    (tlds.CatalogTldView, "Catalog TLDs", _("TLDs"), "fa-globe"),
    (tlds.CatalogTldPriceView, "Catalog TLD prices", _("TLD prices"), "fa-money"),
    (tlds.CatalogTldMarkupView, "Catalog TLD markup", _("TLD markup"), "fa-percent"),
]
# Reached from their parent's page.
NO_MENU = [
    products.CatalogProductTranslationView, options.CatalogOptionChoiceView, extras.CatalogBundleItemView,
    coupons.CatalogCustomerGroupMemberView, coupons.CatalogCouponRedemptionView, tlds.CatalogTldFeesView,
]
APIS = [
    products.CatalogProductGroupApi, products.CatalogProductApi, products.CatalogProductTranslationApi,
    pricing.CatalogPriceApi, options.CatalogOptionGroupApi, options.CatalogOptionApi, options.CatalogOptionChoiceApi,
    extras.CatalogAddonApi, extras.CatalogBundleApi, extras.CatalogBundleItemApi, coupons.CatalogCouponApi,
    coupons.CatalogCouponRedemptionApi, coupons.CatalogCustomerGroupApi, coupons.CatalogCustomerGroupMemberApi,
    tlds.CatalogTldApi, tlds.CatalogTldFeesApi, tlds.CatalogTldPriceApi, CatalogQuoteApi, ClientCatalogApi,
]


def register(appbuilder) -> None:
    """Add every admin view and REST API of the catalogue."""
    for view, name, label, icon in MENU:
        appbuilder.add_view(view, name, label=label, icon=icon, category=CATEGORY, category_label=_("Catalogue"))
    for view in NO_MENU:
        appbuilder.add_view_no_menu(view)
    for api in APIS:
        appbuilder.add_api(api)
