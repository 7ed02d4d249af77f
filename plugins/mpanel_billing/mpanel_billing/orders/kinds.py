"""Order-line kinds: what other plugins sell through checkout besides the
catalogue's products (a domain, later a licence or a certificate).

Billing owns this contract and never imports its implementers: a plugin that
requires billing subclasses :class:`OrderLineKind` and registers an instance in
its ``init(app)``. Checkout finds a line's kind by the key the line carries
(``{"domain": ...}``), and the payment of the order's invoice fulfils it.
"""

from __future__ import annotations

from collections.abc import Mapping

from mpanel.core.plugins.engine import active_plugin_names


class OrderLineKind:
    """One kind of order line. ``key``: the field that marks a checkout line of
    this kind; ``plugin``: the plugin that must be active for the tenant."""

    key = ""
    plugin = ""

    def check(self, session, customer, item: Mapping) -> None:
        """Before the order's transaction: reads and outside calls (a registry's
        availability check), no writes. FieldError names the bad field of the line."""

    def add(self, session, order, draft, customer, item: Mapping) -> None:
        """In the order's transaction: the line's records, its invoice lines on
        ``draft`` (``checkout.add_quote``) and its ``OrderLine``. No outside calls."""
        raise NotImplementedError

    def owns(self, line) -> bool:
        """Whether the stored ``OrderLine`` is of this kind."""
        raise NotImplementedError

    def fulfil(self, session, order, line) -> None:
        """The order's invoice is paid (in the payment's transaction): queue what
        was bought; side effects go to the outbox. Runs at most once per line."""
        raise NotImplementedError


_kinds: dict[str, OrderLineKind] = {}


def register(kind: OrderLineKind) -> OrderLineKind:
    """Register ``kind`` (idempotent: the same key replaces the earlier instance)."""
    _kinds[kind.key] = kind
    return kind


def for_item(session, item: Mapping) -> OrderLineKind | None:
    """The active kind a checkout line belongs to, or None (a catalogue product)."""
    active = None
    for key, kind in _kinds.items():
        if key in item:
            active = active_plugin_names(session) if active is None else active
            if kind.plugin in active:
                return kind
    return None


def for_line(session, line) -> OrderLineKind | None:
    """The active kind of a stored order line that is not a service."""
    active = active_plugin_names(session)
    return next((kind for kind in _kinds.values() if kind.plugin in active and kind.owns(line)), None)
