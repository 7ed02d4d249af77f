"""Demo data for ``make run``: the sandbox serves a few TLDs and one customer has a domain."""

from __future__ import annotations

from mpanel_domains import actions, service
from mpanel_domains.models import Domain, DomainContact
from mpanel_domains.settings import DEFAULTS, NAMESPACE
from sqlalchemy import select

from mpanel.core.settings import get_settings, set_settings

DEMO_TLDS = "com=registrar_demo, net=registrar_demo, org=registrar_demo, de=registrar_demo"


def seed_demo(session, customer, name: str) -> Domain:
    """Map the demo TLDs to the sandbox (if the tenant mapped none) and register
    ``name`` for ``customer`` through the action queue; idempotent. The caller commits."""
    if not get_settings(session, NAMESPACE, DEFAULTS)["tld_registrars"]:
        set_settings(session, NAMESPACE, {"tld_registrars": DEMO_TLDS})
        session.flush()
    existing = service.live_domain(session, name)
    if existing is not None:
        return existing
    contact = session.scalar(select(DomainContact).where(DomainContact.customer_id == customer.id)) or DomainContact(
        customer_id=customer.id, first_name=customer.first_name, last_name=customer.last_name,
        company=customer.company, email=customer.email, phone="+49.3012345678",
        address1=customer.address1 or "1 Main Street", city=customer.city or "Springfield",
        postcode=customer.postcode or "12345", country=customer.country, registry_handles={})
    domain = service.prepare_domain(session, customer, name, contact=contact,
                                    nameservers=["ns1.sandbox.invalid", "ns2.sandbox.invalid"])
    actions.request_registration(session, domain, 1)
    return domain
