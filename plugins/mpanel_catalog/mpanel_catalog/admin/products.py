"""Product groups, products and their translations."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from mpanel_catalog import validation
from mpanel_catalog.admin.base import CatalogApi, CatalogModelView
from mpanel_catalog.admin.fields import JSONObjectField
from mpanel_catalog.admin.pricing import CatalogPriceView
from mpanel_catalog.i18n import lazy_gettext as _
from mpanel_catalog.models import Product, ProductGroup, ProductTranslation

GROUP_COLUMNS = ["name", "slug", "description", "sort_order", "hidden"]
PRODUCT_COLUMNS = ["group", "type", "name", "description", "welcome_email", "hidden", "retired", "stock_control",
                   "stock_quantity", "allow_multiple", "trial_days", "provisioning_module", "provisioning_settings",
                   "tax_class", "sort_order", "upgrades", "option_groups", "addons"]
PRODUCT_LIST = ["name", "group", "type", "hidden", "retired", "stock_control", "stock_quantity"]
PRODUCT_SEARCH = ["name", "group", "type", "hidden", "retired", "tax_class", "provisioning_module"]
TRANSLATION_COLUMNS = ["product", "locale", "name", "description"]


class CatalogProductTranslationView(CatalogModelView):
    datamodel = SQLAInterface(ProductTranslation)
    rules = validation.PRODUCT_TRANSLATION
    list_title = _("Product translations")
    list_columns = ["product", "locale", "name"]
    search_columns = ["product", "locale", "name"]
    add_columns = edit_columns = show_columns = TRANSLATION_COLUMNS


class CatalogProductView(CatalogModelView):
    datamodel = SQLAInterface(Product)
    rules = validation.PRODUCT
    list_title = _("Products")
    list_columns = PRODUCT_LIST
    search_columns = PRODUCT_SEARCH
    add_columns = edit_columns = PRODUCT_COLUMNS
    show_columns = ["id", *PRODUCT_COLUMNS, "created_at"]
    base_order = ("sort_order", "asc")
    add_fieldsets = edit_fieldsets = [
        (_("Product"), {"fields": ["group", "type", "name", "description", "sort_order", "hidden", "retired"]}),
        (_("Ordering"), {"fields": ["allow_multiple", "trial_days", "stock_control", "stock_quantity", "tax_class"]}),
        (_("Fulfilment"), {"fields": ["welcome_email", "provisioning_module", "provisioning_settings"]}),
        (_("Relations"), {"fields": ["upgrades", "option_groups", "addons"]}),
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        "provisioning_settings": JSONObjectField(_("Provisioning settings")),
    }
    related_views = [CatalogPriceView, CatalogProductTranslationView]


class CatalogProductGroupView(CatalogModelView):
    datamodel = SQLAInterface(ProductGroup)
    rules = validation.PRODUCT_GROUP
    list_title = _("Product groups")
    list_columns = ["name", "slug", "sort_order", "hidden"]
    search_columns = ["name", "slug", "hidden"]
    add_columns = edit_columns = GROUP_COLUMNS
    show_columns = ["id", *GROUP_COLUMNS]
    base_order = ("sort_order", "asc")
    related_views = [CatalogProductView]


class CatalogProductGroupApi(CatalogApi):
    resource_name = "catalog-product-groups"
    datamodel = SQLAInterface(ProductGroup)
    rules = validation.PRODUCT_GROUP
    list_columns = show_columns = ["id", *GROUP_COLUMNS]
    add_columns = edit_columns = GROUP_COLUMNS
    search_columns = ["name", "slug", "hidden"]


class CatalogProductApi(CatalogApi):
    resource_name = "catalog-products"
    datamodel = SQLAInterface(Product)
    rules = validation.PRODUCT
    list_columns = ["id", "name", "group.id", "group.name", "type", "hidden", "retired", "stock_control",
                    "stock_quantity", "sort_order"]
    show_columns = ["id", "group.id", *PRODUCT_COLUMNS[1:-3], "upgrades.id", "option_groups.id", "addons.id",
                    "created_at"]
    add_columns = edit_columns = PRODUCT_COLUMNS
    search_columns = PRODUCT_SEARCH


class CatalogProductTranslationApi(CatalogApi):
    resource_name = "catalog-product-translations"
    datamodel = SQLAInterface(ProductTranslation)
    rules = validation.PRODUCT_TRANSLATION
    list_columns = show_columns = ["id", "product.id", "locale", "name", "description"]
    add_columns = edit_columns = TRANSLATION_COLUMNS
    search_columns = ["product", "locale", "name"]
