"""Signals the catalogue sends (receivers run only for tenants that activated their plugin)."""

from mpanel.core.signals import tenant_signal

customer_has_ordered = tenant_signal(
    "catalog.customer_has_ordered",
    """Asked before a new-customers-only coupon is accepted. sender: the Customer.
    A receiver (billing) returns True if the customer has ordered before; no
    receiver, or only falsy answers, means the customer is new.""",
)
