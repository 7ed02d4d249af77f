"""Billing of domains after the order: renewal invoices, the registrar renewal once
one is paid, credit when a paid registrar action fails for good, and no more
renewals for a domain that left (transferred away, cancelled, fraud).

The domains plugin's side of billing (it requires billing; billing knows
nothing of domains). Imported by the plugin's ``init``. Every receiver runs in
the sender's transaction and only adds rows to it: the registrar is called
later, from the action queue (outbox).

When is a failed action credited? Only when no retry can make it succeed:
the registrar's error is permanent (``PERMANENT_ERRORS``: name taken, invalid
transfer code, name unknown), or staff resolved the action as failed. An action
that failed after its automatic retries for a passing reason (registry
unavailable) waits for staff: they retry it, or resolve it as failed, which
credits. A credited action is closed (resolved), so it can never be retried and
succeed after the customer got the money back.
"""

from __future__ import annotations

import logging

from mpanel_billing import invoices
from mpanel_billing.credit import credit_note, credited_quantities
from mpanel_billing.models.invoice import OPEN, Invoice
from mpanel_billing.orders.checkout import add_quote
from mpanel_billing.services.models import Order, OrderLine
from mpanel_billing.signals import invoice_paid
from mpanel_catalog.calculator import quote_domain
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import object_session

from mpanel.core.clock import utcnow
from mpanel.core.errors import FieldError
from mpanel.core.tenancy import require_tenant_id
from mpanel_domains import actions
from mpanel_domains.constants import (
    CANCELLED,
    CLOSED,
    EXPIRED,
    FAILED,
    GIVEN_UP,
    GRACE,
    PENDING_REGISTRATION,
    PENDING_TRANSFER,
    PERMANENT_ERRORS,
    REDEMPTION,
    REGISTERED,
    RESOLVED,
)
from mpanel_domains.models import Domain, DomainAction, DomainRenewal
from mpanel_domains.signals import (
    domain_action_finished,
    domain_auto_renew_changed,
    domain_renewal_due,
    domain_status_changed,
)
from mpanel_domains.sync import set_status

log = logging.getLogger(__name__)

RENEW, RESTORE = "renew", "restore"  # DomainRenewal.kind
LATE_FEES = {GRACE: "grace", EXPIRED: "grace", REDEMPTION: "redemption"}


# -- renewal invoices -------------------------------------------------------------------


def invoice_renewal(session, domain: Domain, years: int = 1) -> DomainRenewal | None:
    """Issue the renewal invoice of ``domain`` for ``years``, once per domain and
    expiry date (a restore from redemption is billed once more, as its own kind).
    Returns the new DomainRenewal, or None when nothing is to be billed or it
    was billed before. A catalogue without a renew price leaves the row with a
    note for staff instead of an invoice."""
    if not domain.auto_renew or domain.status not in REGISTERED or domain.expires_at is None:
        return None
    kind = RESTORE if domain.status == REDEMPTION else RENEW
    late = LATE_FEES.get(domain.status)
    inserted = session.execute(
        insert(DomainRenewal).values(tenant_id=require_tenant_id(), customer_id=domain.customer_id,
                                     domain_id=domain.id, expires_at=domain.expires_at, kind=kind, years=years,
                                     late=late)
        .on_conflict_do_nothing(index_elements=["domain_id", "expires_at", "kind"],
                                index_where=DomainRenewal.cancelled_at.is_(None))
        .returning(DomainRenewal.id)).scalar()
    if inserted is None:
        return None  # billed before and not cancelled (or by a run going on at the same time)
    renewal = session.get(DomainRenewal, inserted)
    try:
        with session.begin_nested():
            quote = quote_domain(session, domain.tld, "renew", years, customer=domain.customer, late=late)
            draft = invoices.create_draft(session, domain.customer, quote.currency,
                                          notes=f"{kind.capitalize()} of {domain.display_name}")
            add_quote(session, draft, quote)
            session.flush()
            renewal.invoice_id = draft.id  # before issuing: account credit may pay it at once
            invoices.issue(session, draft)
    except ValueError as error:  # the catalogue's and billing's field errors
        renewal.note = f"not invoiced: {error}"
        log.warning("renewal of %s not invoiced: %s", domain.name, error)
    return renewal


@domain_renewal_due.connect
def _renewal_due(domain, years=1, **kwargs):
    invoice_renewal(object_session(domain), domain, years)


@invoice_paid.connect
def _renewal_paid(invoice, **kwargs):
    """A paid renewal invoice queues the registrar renewal (restore, in redemption)."""
    session = object_session(invoice)
    renewal = session.scalar(select(DomainRenewal).where(DomainRenewal.invoice_id == invoice.id))
    if renewal is None or renewal.action_id is not None:
        return
    domain = renewal.domain
    request = actions.request_restore if domain.status == REDEMPTION else actions.request_renewal
    try:
        renewal.action = request(session, domain, renewal.years, reference=f"renewal:{renewal.id}")
    except FieldError as error:  # e.g. the domain left meanwhile: nothing to renew
        renewal.note = f"not renewed: {error.message}"
        _credit(session, invoice, None, f"Renewal of {domain.display_name} not possible: {error.message}")


def cancel_open_renewals(session, domain: Domain, reason: str) -> list[Invoice]:
    """Cancel the domain's renewal invoices that are still open (a credit note
    turns any part paid into account credit). A cancelled renewal no longer
    counts: the same expiry may be billed again (auto-renew turned on again)."""
    cancelled = []
    for renewal in session.scalars(select(DomainRenewal).where(DomainRenewal.domain_id == domain.id,
                                                               DomainRenewal.invoice_id.is_not(None),
                                                               DomainRenewal.cancelled_at.is_(None))):
        invoice = session.get(Invoice, renewal.invoice_id)
        if invoice.status in OPEN:
            invoices.cancel(session, invoice, reason)
            renewal.note, renewal.cancelled_at = f"invoice cancelled: {reason}", utcnow()
            cancelled.append(invoice)
    return cancelled


@domain_auto_renew_changed.connect
def _auto_renew_changed(domain, enabled=True, **kwargs):
    if not enabled:
        cancel_open_renewals(object_session(domain), domain, f"auto-renew of {domain.display_name} turned off")


def _open_renewal_without_late_fee(session, domain: Domain) -> bool:
    return session.scalar(select(DomainRenewal.id).join(Invoice, Invoice.id == DomainRenewal.invoice_id).where(
        DomainRenewal.domain_id == domain.id, DomainRenewal.cancelled_at.is_(None), DomainRenewal.late.is_(None),
        Invoice.status.in_(OPEN)).limit(1)) is not None


@domain_status_changed.connect
def _status_changed(domain, old=None, new=None, **kwargs):
    session = object_session(domain)
    if new in CLOSED:
        cancel_open_renewals(session, domain, f"{domain.display_name} is {new.replace('_', ' ')}")
    elif new in (EXPIRED, GRACE) and _open_renewal_without_late_fee(session, domain):
        # Renewed after expiry: the grace fee applies, as to a renewal billed after expiry.
        cancel_open_renewals(session, domain, f"{domain.display_name} expired unpaid; grace fee invoiced")
        invoice_renewal(session, domain)
    elif new == REDEMPTION:
        # The renewal price no longer restores it: bill the restore instead.
        cancel_open_renewals(session, domain, f"{domain.display_name} is in redemption; restore invoiced")
        invoice_renewal(session, domain)


# -- failed registrar actions ---------------------------------------------------------


def _order_lines(invoice: Invoice, order_line: OrderLine) -> list:
    """The invoice lines checkout added for one domain of an order (its price and ICANN fee)."""
    positions = set(order_line.line_positions or ())
    return [line for line in invoice.lines if line.position in positions]


def _paid_invoice(session, action: DomainAction) -> tuple[Invoice | None, list | None]:
    """(invoice, its lines to credit or None for all) of a paid action, from its reference."""
    reference = action.reference or ""
    if reference.startswith("renewal:"):
        renewal = session.get(DomainRenewal, int(reference.split(":")[1]))
        return (session.get(Invoice, renewal.invoice_id), None) if renewal and renewal.invoice_id else (None, None)
    if reference.startswith("order:"):
        _order, order_id, _line, line_id = reference.split(":")
        order, order_line = session.get(Order, int(order_id)), session.get(OrderLine, int(line_id))
        if order is None or order_line is None or order.invoice_id is None:
            return None, None
        invoice = session.get(Invoice, order.invoice_id)
        return invoice, _order_lines(invoice, order_line)
    return None, None


def _credit(session, invoice: Invoice, lines: list | None, reason: str) -> Invoice | None:
    """A credit note for ``lines`` (all when None) as far as they are not credited yet."""
    credited = credited_quantities(session, invoice)
    remaining = [line for line in (invoice.lines if lines is None else lines)
                 if line.quantity - credited.get(line.id, (0, 0))[0] > 0]
    if not remaining:
        return None  # credited before: once per action
    return credit_note(session, invoice, [{"line_id": line.id} for line in remaining], reason=reason)


def credit_failed_action(session, action: DomainAction, error: str) -> Invoice | None:
    """Credit what the customer paid for ``action`` (from an order or a renewal
    invoice) and close the action; returns the credit note, or None if there was
    nothing (left) to credit."""
    invoice, lines = _paid_invoice(session, action)
    if invoice is None or invoice.number is None:
        return None
    domain = action.domain
    reason = f"{action.action.capitalize()} of {domain.display_name} failed ({error})"
    note = _credit(session, invoice, lines, reason)
    if note is not None:
        action.last_error = f"{action.last_error or ''}\ncredited: credit note {note.number}".strip()
    if action.status == FAILED:
        action.status, action.resolved_by = RESOLVED, "billing"
    if domain.status in (PENDING_REGISTRATION, PENDING_TRANSFER):
        set_status(domain, CANCELLED)  # frees the name for a new order
    return note


@domain_action_finished.connect
def _action_finished(action, status=None, error=None, **kwargs):
    if status == FAILED and (error in PERMANENT_ERRORS or error == GIVEN_UP):
        credit_failed_action(object_session(action), action, error)
