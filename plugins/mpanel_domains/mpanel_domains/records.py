"""Rules for records staff add or edit (admin forms and REST share them)."""

from __future__ import annotations

from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.modules.customers.models import Customer
from mpanel_domains.i18n import gettext as _
from mpanel_domains.lookup import registrar_plugins, tld_mapping
from mpanel_domains.names import split, to_ascii
from mpanel_domains.service import live_domain


def check_customer(session, customer_id) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.id == customer_id)) \
        if isinstance(customer_id, int) and not isinstance(customer_id, bool) else None
    if customer is None:
        raise FieldError("customer_id", _("No such customer"))
    return customer


def check_registrar_name(value) -> str:
    if value not in registrar_plugins():
        raise FieldError("registrar", _("%(name)s is not an installed registrar", name=value))
    return value


def new_domain_fields(session, name, registrar=None) -> dict:
    """Normalised name, TLD and registrar of a domain record staff add (e.g. an
    import of an offered TLD); the registrar defaults to the TLD's."""
    ascii_name = to_ascii(name)
    mapping = tld_mapping(session)
    tld = split(ascii_name, mapping)[1]
    if registrar:
        check_registrar_name(registrar)
    if live_domain(session, ascii_name) is not None:
        raise FieldError("name", _("%(name)s is already in the records", name=name))
    return {"name": ascii_name, "tld": tld, "registrar": registrar or mapping[tld]}
