"""Up-/downgrades (prorated now, or at the end of the period) and cancellation requests.

``quote_change`` says what a plan change costs without writing anything (the client
area shows it); ``change_product`` does it. In ``immediate`` mode (tenant setting
``change_proration``) the unused days of the current period are credited (a credit
note for that share of its invoice line) and the new plan is charged:

* same cycle: the new price for the days left, the period's end unchanged;
* another cycle: a full period of the new cycle from the day of the change.

Periods invoiced ahead (the renewal lead time) are credited in full and, in the same
cycle, charged again at the new price. The line credited is the newest issued one
billing the plan for that day, so a second change in a period credits what the first
charged.

In ``period_end`` mode the next renewal applies and bills the new terms. During a
free trial the new terms simply apply; the first invoice still comes at the trial's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select

from mpanel.core import audit
from mpanel.core.clock import tenant_today
from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import quantize

from .. import credit, invoices
from ..models.invoice import DRAFT, INVOICE, Invoice, InvoiceLine
from ..proration import day_fraction
from ..run import record_periods
from . import lifecycle
from .cycles import MONTHS, add_cycles, period
from .models import ACTIVE, CANCELLED, SUSPENDED, Service, ServicePeriod
from .pricing import tax_class
from .settings import load as load_settings

WHEN = ("now", "period_end")
IMMEDIATE, PERIOD_END, TRIAL = "immediate", "period_end", "trial"


def request_cancellation(session, service: Service, when: str) -> None:
    """Cancel now, or at the end of the paid period (a trial: at its end, before any charge)."""
    if when not in WHEN:
        raise FieldError("when", f"one of {', '.join(WHEN)}")
    service = lifecycle.lock(session, service.id)
    if when == "now" or service.next_due_date is None:
        lifecycle.transition(session, service, CANCELLED, "cancellation requested")
        return
    if service.status not in (ACTIVE, SUSPENDED):
        raise Conflict("status", f"a {service.status} service cannot be cancelled at the end of its period")
    service.cancel_at, service.pending_change = service.next_due_date, None
    audit.record(session, "service.cancel_requested", "Service", service.id, {"at": service.cancel_at.isoformat()})


@dataclass(frozen=True)
class ChangeQuote:
    """What a plan change does: the new ``terms`` from ``starts``; in immediate mode the
    (invoice line, quantity) pairs ``credited``, the (start, end, net amount) periods
    ``charged``, and the service's new ``anchor`` with the ``periods`` billed from it;
    ``credit`` and ``charge`` are the net sums."""

    terms: dict
    mode: str  # immediate, period_end or trial
    starts: dt.date | None
    credited: tuple = ()
    charged: tuple = ()
    anchor: dt.date | None = None
    periods: int = 0
    credit: Decimal = Decimal(0)
    charge: Decimal = Decimal(0)

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """The days the charge covers."""
        return (self.charged[0][0], self.charged[-1][1]) if self.charged else None


def service_customer(session, service: Service):
    from mpanel.modules.customers.models import Customer

    return session.get(Customer, service.customer_id)


def new_terms(session, service: Service, product_id, cycle) -> dict:
    """The recurring price of the new product and cycle, from the catalogue (which checks
    that the product may be ordered); on the same product with the service's options."""
    from mpanel_catalog.calculator import quote_product

    from mpanel.core.errors import FieldError

    same = str(product_id) == str(service.product_id)
    try:
        quote = quote_product(session, product_id, cycle, customer=service_customer(session, service),
                              currency=service.currency, options=(service.options or None) if same else None,
                              addons=(service.addons or None) if same else None)
    except FieldError as error:
        raise FieldError(error.field, error.message) from None
    if same and quote.cycle == service.cycle:
        raise FieldError("product", "this is the service's current plan")
    return {"product_id": int(product_id), "cycle": quote.cycle, "description": quote.lines[0].description,
            "tax_class": tax_class(quote.lines[0].tax_class),
            "recurring_amount": str(sum((line.amount for line in quote.lines if line.recurring and not
                                         line.is_discount), Decimal(0)))}


def apply_terms(service: Service, terms: dict, anchor: dt.date) -> None:
    """The new terms from ``anchor`` on: periods of the new cycle count from there."""
    service.anchor_date, service.periods_billed, service.next_due_date = anchor, 0, anchor
    service.product_id, service.cycle, service.description = terms["product_id"], terms["cycle"], terms["description"]
    service.tax_class, service.recurring_amount = terms["tax_class"], Decimal(terms["recurring_amount"])
    service.pending_change = None


def _line_for(session, service: Service, day: dt.date) -> tuple[InvoiceLine, Decimal] | None:
    """(line, quantity not credited yet) of the newest issued invoice line that bills the
    service's plan for ``day``. Twin services on one invoice have interchangeable lines."""
    lines = session.scalars(select(InvoiceLine).join(Invoice, Invoice.id == InvoiceLine.invoice_id).where(
        Invoice.customer_id == service.customer_id, Invoice.kind == INVOICE, Invoice.number.is_not(None),
        Invoice.currency == service.currency, InvoiceLine.description == service.description,
        InvoiceLine.period_start <= day, InvoiceLine.period_end >= day).order_by(InvoiceLine.id.desc()).limit(20))
    for line in lines:
        credited = session.scalar(select(func.coalesce(func.sum(InvoiceLine.quantity), 0))
                                  .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
                                  .where(InvoiceLine.credited_line_id == line.id, Invoice.status != DRAFT))
        if line.quantity > credited:
            return line, line.quantity - credited
    return None


def unused_share(left: int, total: int) -> Decimal:
    """The unused part of a period as a line quantity, rounded down: never credit too much."""
    return (Decimal(left) / total).quantize(Decimal("0.0001"), ROUND_DOWN)


def _billed_ahead(session, service: Service, after: dt.date) -> list[tuple[InvoiceLine, Decimal]]:
    """The lines of the periods invoiced ahead (the renewal lead time), starting after ``after``."""
    starts = session.scalars(select(ServicePeriod.period_start).where(
        ServicePeriod.service_id == service.id, ServicePeriod.period_start > after)
        .order_by(ServicePeriod.period_start)).all()
    lines = [_line_for(session, service, start) for start in starts]
    if None in lines:
        raise Conflict("service", "an invoice line of a period billed ahead was not found")
    return lines


def quote_change(session, service: Service, product_id, cycle, on: dt.date | None = None) -> ChangeQuote:
    """What changing ``service`` to ``product_id``/``cycle`` on ``on`` credits and charges."""
    if service.status != ACTIVE:
        raise Conflict("status", "only an active service can change its plan")
    if service.cancel_at is not None:
        raise Conflict("status", "the service is cancelled at the end of its period")
    if service.cycle not in MONTHS:
        raise Conflict("cycle", "a one-time service has no plan to change")
    if not isinstance(cycle, str) or cycle not in MONTHS:
        raise FieldError("cycle", f"one of {', '.join(MONTHS)}")
    terms = new_terms(session, service, product_id, cycle)
    on = on or tenant_today(session)
    current = _line_for(session, service, on)
    in_trial = current is None and service.anchor_date > on  # no invoice line covers a trial's days
    if in_trial and service.periods_billed == 0:
        return ChangeQuote(terms, TRIAL, on)
    if load_settings(session).change_proration == PERIOD_END:
        return ChangeQuote(terms, PERIOD_END, service.next_due_date)
    if current is None and not in_trial:
        raise Conflict("service", "the current period was not billed: nothing to prorate")
    price, same_cycle = quantize(Decimal(terms["recurring_amount"]), service.currency), terms["cycle"] == service.cycle
    credited, rest, anchor = [], [], service.anchor_date  # in a trial: periods count from its end
    if current is not None:  # the unused days of the current period
        line, remaining = current
        left, total = day_fraction(line.period_start, line.period_end, on)
        credited.append((line, min(unused_share(left, total) * line.quantity, remaining)))
        rest = [(on, line.period_end, quantize(price * left / total, service.currency))]
        anchor = line.period_end + dt.timedelta(days=1)
    ahead = _billed_ahead(session, service, anchor - dt.timedelta(days=1))
    credited += ahead  # credited in full
    if same_cycle:  # the rest of the period and the periods billed ahead, at the new price
        charged = rest + [(line.period_start, line.period_end, price) for line, _quantity in ahead]
        periods = len(ahead)
    else:  # a whole period of the new cycle
        anchor = on if current is not None else anchor
        charged, periods = [(*period(anchor, terms["cycle"], 0), price)], 1
    credit_amount = sum((quantize(line.net_amount * quantity / line.quantity, service.currency)
                         for line, quantity in credited), Decimal(0))
    return ChangeQuote(terms, IMMEDIATE, on, tuple(credited), tuple(charged), anchor, periods, credit_amount,
                       sum((amount for _start, _end, amount in charged), Decimal(0)))


@dataclass(frozen=True)
class ChangeResult:
    quote: ChangeQuote
    credit_notes: tuple = ()
    invoice: Invoice | None = None


def change_product(session, service: Service, product_id, cycle, on: dt.date | None = None) -> ChangeResult:
    """Change the plan (see the module's docstring); the caller commits."""
    service = lifecycle.lock(session, service.id)
    quote = quote_change(session, service, product_id, cycle, on)
    if quote.mode == PERIOD_END:
        service.pending_change = quote.terms
        audit.record(session, "service.change_requested", "Service", service.id, quote.terms)
        return ChangeResult(quote)
    if quote.mode == TRIAL:
        apply_terms(service, quote.terms, service.anchor_date)
        audit.record(session, "service.changed", "Service", service.id, quote.terms)
        return ChangeResult(quote)
    notes = _credit_unused(session, quote)
    apply_terms(service, quote.terms, quote.anchor)
    service.periods_billed = quote.periods
    service.next_due_date = add_cycles(quote.anchor, service.cycle, quote.periods)
    invoice = _charge(session, service, quote) if quote.charge else None
    audit.record(session, "service.changed", "Service", service.id,
                 {**quote.terms, "credit": str(quote.credit), "charge": str(quote.charge)})
    return ChangeResult(quote, notes, invoice)


def _credit_unused(session, quote: ChangeQuote) -> tuple[Invoice, ...]:
    """Credit notes (one per invoice) for the unused share of the lines that billed the old plan."""
    by_invoice = {}
    for line, quantity in quote.credited:
        if quantity > 0:
            by_invoice.setdefault(line.invoice, []).append({"line_id": line.id, "quantity": quantity})
    reason = f"Plan change on {quote.starts.isoformat()}"
    return tuple(credit.credit_note(session, invoice, lines, reason=reason) for invoice, lines in by_invoice.items())


def _charge(session, service: Service, quote: ChangeQuote) -> Invoice:
    """The invoice for the new plan's periods; each recorded as billed unless its key is
    taken (a period the old plan was invoiced for, now credited)."""
    draft = invoices.create_draft(session, service_customer(session, service), service.currency)
    added = [(start, end, invoices.add_line(session, draft, service.description, 1, amount,
                                            tax_class=service.tax_class, period_start=start, period_end=end))
             for start, end, amount in quote.charged if amount]
    session.flush()
    taken = set(session.scalars(select(ServicePeriod.period_start).where(ServicePeriod.service_id == service.id)))
    record_periods(session, draft, [(service, start, end, line) for start, end, line in added if start not in taken])
    return invoices.issue(session, draft, on=quote.starts)
