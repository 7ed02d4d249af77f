"""Sections of the staff customer page that plugins add (billing: invoices, balance,
services; domains: domains) without the kernel importing any plugin.

A plugin connects a receiver to :data:`customer_page`; it gets the customer and
returns a :class:`Section` (or None). Being a tenant signal, it reaches only the
plugins active for the tenant."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from mpanel.core.signals import tenant_signal

customer_page = tenant_signal(
    "customer_page",
    """While the staff customer page renders. sender: the Customer. Return a
    customers.sections.Section (html is trusted markup, escape what you insert) or None.""",
)


@dataclass(frozen=True)
class Section:
    key: str  # the HTML id of the section
    title: str
    html: Markup
    order: int = 100  # lower comes first


def sections_for(customer) -> list[Section]:
    found = [result for _receiver, result in customer_page.send(customer) if isinstance(result, Section)]
    return sorted(found, key=lambda section: (section.order, section.key))
