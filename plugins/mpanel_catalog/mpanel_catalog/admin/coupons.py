"""Coupons, their redemptions (read-only) and customer groups."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from mpanel_catalog import validation
from mpanel_catalog.admin.base import CatalogApi, CatalogModelView
from mpanel_catalog.i18n import lazy_gettext as _
from mpanel_catalog.models import Coupon, CouponRedemption, CustomerGroup, CustomerGroupMember

COUPON_COLUMNS = ["code", "description", "kind", "value", "currency", "duration", "duration_cycles", "products",
                  "cycles", "customer_group", "customer", "new_customers_only", "starts_at", "expires_at",
                  "max_uses", "max_uses_per_customer", "stackable", "active"]
COUPON_LIST = ["code", "kind", "value", "currency", "duration", "uses", "max_uses", "expires_at", "active"]
COUPON_SEARCH = ["code", "kind", "active", "customer_group", "customer"]
REDEMPTION_COLUMNS = ["coupon", "customer", "reference", "redeemed_at"]
GROUP_COLUMNS = ["name", "description", "discount_percent"]
MEMBER_COLUMNS = ["customer", "group"]
_READ_ONLY_VIEW = ["can_list", "can_show"]
_READ_ONLY_API = ["can_get", "can_info"]


class CatalogCouponRedemptionView(CatalogModelView):
    datamodel = SQLAInterface(CouponRedemption)
    base_permissions = _READ_ONLY_VIEW
    list_title = _("Coupon redemptions")
    list_columns = show_columns = search_columns = REDEMPTION_COLUMNS
    base_order = ("redeemed_at", "desc")


class CatalogCouponView(CatalogModelView):
    datamodel = SQLAInterface(Coupon)
    rules = validation.COUPON
    list_title = _("Coupons")
    list_columns = COUPON_LIST
    search_columns = COUPON_SEARCH
    add_columns = edit_columns = COUPON_COLUMNS
    show_columns = ["id", *COUPON_COLUMNS, "uses"]
    description_columns = {
        "value": _("Percent for a percentage, else an amount in the currency"),
        "cycles": _("Comma-separated billing cycles, e.g. monthly,annually; empty: all"),
        "products": _("Empty: all products"),
    }
    related_views = [CatalogCouponRedemptionView]


class CatalogCustomerGroupMemberView(CatalogModelView):
    datamodel = SQLAInterface(CustomerGroupMember)
    rules = validation.CUSTOMER_GROUP_MEMBER
    list_title = _("Customer group members")
    list_columns = search_columns = add_columns = edit_columns = show_columns = MEMBER_COLUMNS


class CatalogCustomerGroupView(CatalogModelView):
    datamodel = SQLAInterface(CustomerGroup)
    rules = validation.CUSTOMER_GROUP
    list_title = _("Customer groups")
    list_columns = search_columns = add_columns = edit_columns = GROUP_COLUMNS
    show_columns = ["id", *GROUP_COLUMNS]
    related_views = [CatalogCustomerGroupMemberView]


class CatalogCouponApi(CatalogApi):
    resource_name = "catalog-coupons"
    datamodel = SQLAInterface(Coupon)
    rules = validation.COUPON
    list_columns = ["id", *COUPON_LIST]
    show_columns = ["id", *[c for c in COUPON_COLUMNS if c not in ("products", "customer_group", "customer")],
                    "products.id", "customer_group.id", "customer.id", "uses"]
    add_columns = edit_columns = COUPON_COLUMNS
    search_columns = COUPON_SEARCH


class CatalogCouponRedemptionApi(CatalogApi):
    resource_name = "catalog-coupon-redemptions"
    datamodel = SQLAInterface(CouponRedemption)
    base_permissions = _READ_ONLY_API
    list_columns = show_columns = ["id", "coupon.id", "coupon.code", "customer.id", "reference", "redeemed_at"]
    search_columns = ["coupon", "customer", "reference"]


class CatalogCustomerGroupApi(CatalogApi):
    resource_name = "catalog-customer-groups"
    datamodel = SQLAInterface(CustomerGroup)
    rules = validation.CUSTOMER_GROUP
    list_columns = show_columns = ["id", *GROUP_COLUMNS]
    add_columns = edit_columns = search_columns = GROUP_COLUMNS


class CatalogCustomerGroupMemberApi(CatalogApi):
    resource_name = "catalog-customer-group-members"
    datamodel = SQLAInterface(CustomerGroupMember)
    rules = validation.CUSTOMER_GROUP_MEMBER
    list_columns = show_columns = ["id", "customer.id", "group.id"]
    add_columns = edit_columns = search_columns = MEMBER_COLUMNS
