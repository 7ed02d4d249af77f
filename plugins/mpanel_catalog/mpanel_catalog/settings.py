"""The catalogue's per-tenant settings (edited on the marketplace settings page)."""

from mpanel.core.settings import Setting, get_settings

NAMESPACE = "catalog"
TENANT_DEFAULTS = {"prices_include_tax": Setting("no", "choice", choices=("no", "yes"))}
_TRUE = {"1", "true", "yes", "on", "y"}


def prices_include_tax(session) -> bool:
    """Whether the tenant's catalogue prices are gross (tax included) or net."""
    value = get_settings(session, NAMESPACE, TENANT_DEFAULTS)["prices_include_tax"]
    return value is True or str(value).strip().lower() in _TRUE
