"""The catalogue's tables (all prefixed ``catalog_``, all tenant-scoped under RLS)."""

from mpanel_catalog.models.coupons import Coupon, CouponRedemption, coupon_products
from mpanel_catalog.models.customers import CustomerGroup, CustomerGroupMember
from mpanel_catalog.models.extras import Addon, Bundle, BundleItem, addon_products
from mpanel_catalog.models.options import Option, OptionChoice, OptionGroup, option_group_products
from mpanel_catalog.models.pricing import Price
from mpanel_catalog.models.products import Product, ProductGroup, ProductTranslation, product_upgrades
from mpanel_catalog.models.tlds import Tld, TldFees, TldPrice

__all__ = [
    "Addon", "Bundle", "BundleItem", "Coupon", "CouponRedemption", "CustomerGroup", "CustomerGroupMember", "Option",
    "OptionChoice", "OptionGroup", "Price", "Product", "ProductGroup", "ProductTranslation", "Tld", "TldFees",
    "TldPrice", "addon_products", "coupon_products", "option_group_products", "product_upgrades",
]
