"""Ticket statuses and priorities (stored as these keys)."""

STATUSES = ("open", "answered", "customer_reply", "on_hold", "closed")
PRIORITIES = ("low", "medium", "high", "urgent")
VISIBILITIES = ("public", "customers", "staff")
