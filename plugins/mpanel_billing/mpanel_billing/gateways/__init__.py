"""Payments: the gateway contract (base.py), transactions, saved methods,
off-session charges with retries, refunds, chargebacks and webhook events.

The billing plugin wires it in with :func:`with_payment_roles` (its
``role_permissions``), :func:`register` (from ``register_views``) and
:data:`blueprint` (from ``blueprints``); gateway plugins set ``gateway_class``.
The blueprint also gives every template ``billing_payable(invoice)`` (a global and
a test: "Pay now" is offered) and ``billing_payment_instructions(invoice)`` (bank
details and reference of the active manual gateways), used by the client invoice
pages. Documents (PDF, UBL) take their payment reference from
:func:`registry.document_reference`. Operators' and plugin authors' guide:
docs/payments.md.
"""

from __future__ import annotations

_VIEWS = "TransactionView|PaymentMethodView|ReconciliationView|TransactionApi|PaymentMethodApi|PaymentApi"
_MENUS = ("Transactions|Payment methods|Reconciliation", "menu_access")
_READ = "can_list|can_show|can_get|can_info|can_index"
_FULL = [(_VIEWS, ".*"), _MENUS]  # includes can_refund
_READ_ONLY = [(_VIEWS, _READ), _MENUS]
ROLE_PERMISSIONS = {"Owner": _FULL, "Admin": _FULL, "Billing": _FULL, "Support": _READ_ONLY,
                    "Read-only": _READ_ONLY}


def with_payment_roles(role_permissions: dict) -> dict:
    """The billing plugin's role permissions plus the payment views'."""
    return {role: [*role_permissions.get(role, []), *ROLE_PERMISSIONS.get(role, [])]
            for role in {*role_permissions, *ROLE_PERMISSIONS}}


def register(appbuilder) -> None:
    """Models, the outbox handler, the periodic sweep, admin views and REST APIs."""
    from ..i18n import lazy_gettext as _
    from . import events, models, tasks  # noqa: F401
    from .api import PaymentApi, PaymentMethodApi, TransactionApi
    from .views import PaymentMethodView, ReconciliationView, TransactionView

    menu = {"category": "Billing", "category_label": _("Billing"), "category_icon": "fa-file-text-o"}
    appbuilder.add_view(TransactionView, "Transactions", label=_("Transactions"), icon="fa-exchange", **menu)
    appbuilder.add_view(PaymentMethodView, "Payment methods", label=_("Payment methods"), icon="fa-credit-card",
                        **menu)
    appbuilder.add_view(ReconciliationView, "Reconciliation", label=_("Reconciliation"), icon="fa-balance-scale",
                        **menu)
    for api in (TransactionApi, PaymentMethodApi, PaymentApi):
        appbuilder.add_api(api)


def blueprint():
    """The client-area payment pages."""
    from .client import blueprint as pages

    return pages
