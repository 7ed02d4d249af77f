"""The Stripe Customer of an MPanel customer, created once per mode."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.tenancy import require_tenant_id
from mpanel_gateway_stripe.client import translated
from mpanel_gateway_stripe.models import StripeCustomer


def find(session, customer_id: int, livemode: bool) -> StripeCustomer | None:
    return session.scalar(select(StripeCustomer).where(StripeCustomer.customer_id == customer_id,
                                                       StripeCustomer.livemode.is_(livemode)))


def owner(session, stripe_id: str) -> StripeCustomer | None:
    return session.scalar(select(StripeCustomer).where(StripeCustomer.stripe_id == stripe_id))


def ensure(gateway, customer) -> StripeCustomer:
    """The customer's Stripe Customer in the gateway's mode, created at Stripe the first time."""
    livemode = not gateway.test_mode
    row = find(gateway.session, customer.id, livemode)
    if row is not None:
        return row
    params = {"email": customer.email, "name": customer.display_name,
              "metadata": {"mpanel_tenant": str(gateway.tenant_id), "mpanel_customer": str(customer.id)}}
    key = gateway.idempotency_key("customer-live" if livemode else "customer-test", customer.id)
    with translated():
        created = gateway.client.v1.customers.create(params, {"idempotency_key": key})
    gateway.session.execute(insert(StripeCustomer).values(
        tenant_id=require_tenant_id(), customer_id=customer.id, livemode=livemode, stripe_id=created.id, setups=0)
        .on_conflict_do_nothing(index_elements=["tenant_id", "customer_id", "livemode"]))
    return find(gateway.session, customer.id, livemode)
