"""Where a person belongs: their home page, and which ``next=`` targets are safe."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def home_url(user) -> str:
    """The client area for a customer's contact, the staff home for tenant
    staff, the operator home for the platform operator."""
    if user is None or not user.is_authenticated:
        return url_for("accounts_home.welcome")
    if user.customer_id:
        return url_for("client.dashboard")
    if user.tenant_id is None:
        return url_for("accounts_home.operator")
    return url_for("accounts_home.staff")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this host ("/client/invoices?page=2"), else None:
    no scheme, no host, no protocol-relative "//evil", no backslashes or control
    characters browsers would rewrite into one."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
