"""Signals about tenants, customers and plugins."""

from mpanel.core.signals import tenant_signal

customer_created = tenant_signal(
    "customer_created",
    """Sent after a new customer is committed (admin form or REST).
    sender: the Customer. Side effects belong in the outbox.""",
)

plugin_activated = tenant_signal(
    "plugin_activated",
    """Sent when a tenant activates a plugin. sender: the plugin name.""",
)

plugin_deactivated = tenant_signal(
    "plugin_deactivated",
    """Sent when a tenant deactivates a plugin. sender: the plugin name.""",
)
