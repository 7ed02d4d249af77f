"""Domains as an order-line kind of billing's checkout (``{"domain": "shop.com",
"action": "register" | "transfer", "years": 1, "auth_code": ...}``).

The registry is asked in :meth:`DomainLine.check`, before the order's
transaction writes anything; the registrar is called for the registration only
once the invoice is paid, from the action queue (outbox).
"""

from __future__ import annotations

from mpanel_billing.orders import kinds
from mpanel_billing.orders.checkout import add_quote
from mpanel_billing.services.models import OrderLine
from mpanel_catalog.calculator import quote_domain

from mpanel.core.errors import FieldError
from mpanel_domains import actions, service
from mpanel_domains.models import Domain

ACTIONS = ("register", "transfer")


def _action(item) -> str:
    action = item.get("action", "register")
    if action not in ACTIONS:
        raise FieldError("action", "register or transfer")
    return action


class DomainLine(kinds.OrderLineKind):
    key = "domain"
    plugin = "domains"

    def check(self, session, customer, item) -> None:
        action = _action(item)
        ascii_name, tld, registrar, _hosts, _code = service.check_new(
            session, str(item.get("domain") or ""), transfer=action == "transfer", auth_code=item.get("auth_code"))
        quote_domain(session, tld, action, item.get("years", 1), customer=customer)
        # The registry, last: only for a line that is otherwise fine.
        service.confirm_orderable(session, ascii_name, registrar, transfer=action == "transfer")

    def add(self, session, order, draft, customer, item) -> None:
        action = _action(item)
        domain = service.prepare_domain(session, customer, str(item.get("domain") or ""),
                                        transfer=action == "transfer", auth_code=item.get("auth_code"))
        quote = quote_domain(session, domain.tld, action, item.get("years", 1), customer=customer)
        first = len(draft.lines) + 1
        add_quote(session, draft, quote)
        session.add(OrderLine(order_id=order.id, customer_id=customer.id, domain_id=domain.id, domain_action=action,
                              years=quote.details["years"], line_positions=list(range(first, len(draft.lines) + 1))))

    def owns(self, line) -> bool:
        return line.domain_id is not None

    def fulfil(self, session, order, line) -> None:
        domain = session.get(Domain, line.domain_id)
        reference = f"order:{order.id}:line:{line.id}"
        if line.domain_action == "transfer":
            actions.request_transfer(session, domain, years=line.years, reference=reference)
        else:
            actions.request_registration(session, domain, line.years, reference=reference)


kinds.register(DomainLine())
