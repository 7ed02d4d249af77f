"""Domain records: creating them (checked, nothing sent) and the reads that
need the registrar at once (the transfer code)."""

from __future__ import annotations

from sqlalchemy import select

from mpanel.core import audit
from mpanel.core.errors import FieldError
from mpanel_domains import contacts
from mpanel_domains.constants import CLOSED, PENDING_REGISTRATION, PENDING_TRANSFER, REGISTERED
from mpanel_domains.i18n import gettext as _
from mpanel_domains.lookup import get_registrar, tld_mapping
from mpanel_domains.models import Domain, DomainContact
from mpanel_domains.names import check_auth_code, check_nameservers, split, to_ascii, to_unicode
from mpanel_domains.registrar import NotSupported, RegistrarError


def live_domain(session, ascii_name: str) -> Domain | None:
    """The tenant's current record of a name (closed records are history)."""
    return session.scalar(select(Domain).where(Domain.name == ascii_name, Domain.status.not_in(CLOSED)))


def latest_contact(session, customer_id: int) -> DomainContact | None:
    return session.scalar(select(DomainContact).where(DomainContact.customer_id == customer_id)
                          .order_by(DomainContact.id.desc()).limit(1))


def default_contact(session, customer) -> DomainContact:
    """The customer's latest domain contact, or a new one from the customer's profile."""
    contact = latest_contact(session, customer.id)
    if contact is not None:
        return contact
    profile = {field: getattr(customer, field, None) for field in contacts.FIELDS}
    contact = DomainContact(customer_id=customer.id, registry_handles={}, **contacts.clean(profile))
    session.add(contact)
    return contact


def check_new(session, name: str, *, transfer: bool = False, auth_code: str | None = None,
              nameservers=()) -> tuple[str, str, str, list[str], str | None]:
    """Check a domain to be created, reading only: (A-label name, TLD, registrar,
    name servers, transfer code). A FieldError names the bad input."""
    ascii_name = to_ascii(name)
    mapping = tld_mapping(session)
    _label, tld = split(ascii_name, mapping)
    hosts = check_nameservers(list(nameservers or ()))
    code = check_auth_code(auth_code) if auth_code is not None else None
    if live_domain(session, ascii_name) is not None:
        raise FieldError("name", _("%(name)s is already in this account's records", name=name))
    return ascii_name, tld, mapping[tld], hosts, code


def prepare_domain(session, customer, name: str, *, transfer: bool = False, auth_code: str | None = None,
                   nameservers=(), contact: DomainContact | None = None) -> Domain:
    """A new domain record of ``customer``, pending registration (or transfer).

    Everything is checked here (name, TLD offered, name servers, transfer code);
    a FieldError names the bad input. Nothing is sent: call
    ``actions.request_registration``/``request_transfer`` once it is paid for.
    """
    ascii_name, tld, registrar, hosts, code = check_new(session, name, transfer=transfer, auth_code=auth_code,
                                                        nameservers=nameservers)
    if contact is not None and contact.customer_id != customer.id:
        raise FieldError("contact", _("The contact belongs to another customer"))
    contact = contact or default_contact(session, customer)
    domain = Domain(customer_id=customer.id, name=ascii_name, tld=tld, registrar=registrar,
                    status=PENDING_TRANSFER if transfer else PENDING_REGISTRATION, nameservers=hosts,
                    registrant=contact, admin=contact, tech=contact, billing=contact)
    domain.auth_code = code
    session.add(domain)
    session.flush()
    return domain


def confirm_orderable(session, ascii_name: str, registrar_name: str, *, transfer: bool = False) -> None:
    """Ask the TLD's registrar now whether ``ascii_name`` can be ordered: free to
    register, or registered already (by anybody) to transfer it in. Call it
    before the order's transaction writes anything (an outside call).

    FieldError("domain") when not, or when the registry cannot answer (nothing
    is billed). A registrar that cannot check names is not asked; the
    registration itself then tells."""
    display = to_unicode(ascii_name)
    try:
        with get_registrar(session, registrar_name) as registrar:
            [answer] = registrar.check([ascii_name])
    except NotSupported:
        return
    except (RegistrarError, OSError) as exc:  # RegistryUnavailable, a timeout, ...
        raise FieldError("domain", _("The registry of %(name)s cannot be reached right now; nothing was ordered. "
                                     "Please try again later.", name=display)) from exc
    if not transfer and not answer.available:
        raise FieldError("domain", _("%(name)s is not available", name=display))
    if transfer and answer.available:
        raise FieldError("domain", _("%(name)s is not registered, so it cannot be transferred; register it instead",
                                     name=display))


def reveal_auth_code(session, domain: Domain) -> str:
    """The current transfer code from the registrar, kept encrypted and audited.
    Only for the owning customer; raises RegistrarError when the registrar fails."""
    if domain.status not in REGISTERED:
        raise FieldError("status", _("The transfer code is available for registered domains"))
    with get_registrar(session, domain.registrar) as registrar:
        code = registrar.get_auth_code(domain.name)
    domain.auth_code = code
    audit.record(session, "domain_auth_code_shown", "Domain", domain.id, {"name": domain.name})
    return code
