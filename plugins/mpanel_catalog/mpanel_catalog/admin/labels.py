"""Column labels of every catalogue view, in the plugin's translation domain."""

from mpanel_catalog.i18n import lazy_gettext as _

LABELS = {
    "action": _("Action"), "active": _("Active"), "addon": _("Add-on"), "addons": _("Add-ons"),
    "allow_multiple": _("Several per order"), "bundle": _("Bundle"), "choices": _("Choices"), "code": _("Code"),
    "cost": _("Cost"), "coupon": _("Coupon"), "created_at": _("Created"), "currency": _("Currency"),
    "customer": _("Customer"), "customer_group": _("Customer group"), "cycle": _("Billing cycle"),
    "cycles": _("Billing cycles"), "description": _("Description"), "discount_percent": _("Discount (%)"),
    "dns_management": _("DNS management (per year)"), "duration": _("Duration"),
    "duration_cycles": _("Number of cycles"), "epp_code_required": _("EPP code needed for transfer"),
    "expires_at": _("Expires"), "grace_days": _("Grace period (days)"), "grace_fee": _("Grace-period fee"),
    "group": _("Group"), "hidden": _("Hidden"), "icann_fee": _("ICANN fee (per year)"),
    "id_protection": _("ID protection (per year)"), "items": _("Products"), "kind": _("Kind"),
    "locale": _("Language"), "max_quantity": _("Maximum"), "max_uses": _("Uses in total"),
    "max_uses_per_customer": _("Uses per customer"), "members": _("Members"), "min_quantity": _("Minimum"),
    "name": _("Name"), "new_customers_only": _("New customers only"), "option": _("Option"),
    "option_choice": _("Option choice"), "option_groups": _("Option groups"), "options": _("Options"),
    "price": _("Price"), "product": _("Product"), "products": _("Products"),
    "provisioning_module": _("Provisioning module"), "provisioning_settings": _("Provisioning settings"),
    "quantity": _("Quantity"), "redeemed_at": _("Redeemed"), "redemption_days": _("Redemption period (days)"),
    "redemption_fee": _("Redemption fee"), "reference": _("Reference"), "registrar": _("Registrar"),
    "retired": _("Retired"), "setup_fee": _("Setup fee"), "slug": _("Slug"), "sort_order": _("Order"),
    "stackable": _("Stackable"), "starts_at": _("Starts"), "step": _("Step"), "stock_control": _("Stock control"),
    "stock_quantity": _("In stock"), "tax_class": _("Tax class"), "tld": _("TLD"), "trial_days": _("Free trial (days)"),
    "type": _("Type"), "upgrades": _("Up- and downgrades to"), "uses": _("Used"), "value": _("Value"),
    "welcome_email": _("Welcome mail template"), "years": _("Years"),
}
