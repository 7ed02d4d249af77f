"""Services and orders in the admin: only the tenant's own, and status changes by
staff that go through the lifecycle (audited, signalled) — never for Support."""

from mpanel_billing.gateways.models import Allocation, Transaction
from mpanel_billing.models import Order, Service
from mpanel_billing.services.signals import service_suspended
from mpanel_billing.testing import make_plans, order
from sqlalchemy import select

from mpanel.core.audit import AuditLog
from mpanel.testing.pytest_plugin import bearer, csrf_token


def sign_in(client, billing, role):
    client.get("/logout/", base_url=billing.host)
    billing.tenant.web_login(client, billing.tenant.staff(role))


def act(client, billing, name, service_id):
    """Run a list action the way FAB's list page posts it."""
    page = client.get("/serviceview/list/", base_url=billing.host)
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/serviceview/action_post", base_url=billing.host,
                       data={"action": name, "rowid": str(service_id), "csrf_token": token})


def status(billing, service_id) -> str:
    return billing.run(lambda s: s.get(Service, service_id).status)


def test_lists_show_only_the_tenants_own_services_and_orders(client, make_billing):
    acme, other = make_billing(), make_billing()
    mine = order(acme, acme.customer(company="Visible Co"), make_plans(acme)["small"])
    theirs = order(other, other.customer(company="Hidden Co"), make_plans(other)["large"])
    sign_in(client, acme, "Billing")
    services = client.get("/serviceview/list/", base_url=acme.host).get_data(as_text=True)
    assert "Visible Co" in services and "Hidden Co" not in services
    assert client.get(f"/serviceview/show/{mine}", base_url=acme.host).status_code == 200
    assert client.get(f"/serviceview/show/{theirs}", base_url=acme.host).status_code == 404
    orders = client.get("/orderview/list/", base_url=acme.host).get_data(as_text=True)
    invoice_number = acme.run(lambda s: s.scalars(select(Order)).one().invoice.number)
    assert "Visible Co" in orders and invoice_number in orders and "Hidden Co" not in orders


def test_staff_suspend_and_unsuspend_through_the_lifecycle(client, billing):
    service_id = order(billing, billing.customer(), make_plans(billing)["small"])
    assert status(billing, service_id) == "active"
    suspended = []

    def seen(service, **kwargs):
        suspended.append(service.id)

    service_suspended.connect(seen)
    try:
        sign_in(client, billing, "Billing")
        assert act(client, billing, "set_status_suspended", service_id).status_code == 302
        assert act(client, billing, "set_status_suspended", service_id).status_code == 302  # again: nothing
    finally:
        service_suspended.disconnect(seen)
    assert status(billing, service_id) == "suspended" and suspended == [service_id]
    audits = billing.run(lambda s: s.scalars(select(AuditLog.action).where(AuditLog.object_id == str(service_id))
                                             .order_by(AuditLog.id)).all())
    assert audits.count("service.suspended") == 1
    act(client, billing, "set_status_active", service_id)
    assert status(billing, service_id) == "active"
    act(client, billing, "set_status_terminated", service_id)
    act(client, billing, "set_status_active", service_id)  # refused: terminated is final
    assert status(billing, service_id) == "terminated"


def test_support_can_read_but_not_change_a_service(client, billing):
    service_id = order(billing, billing.customer(), make_plans(billing)["small"])
    sign_in(client, billing, "Support")
    assert client.get("/serviceview/list/", base_url=billing.host).status_code == 200
    act(client, billing, "set_status_suspended", service_id)
    assert status(billing, service_id) == "active"


def test_lists_cost_the_same_queries_for_2_or_8_rows(client, billing, query_counter):
    plans = make_plans(billing)
    sign_in(client, billing, "Billing")
    token = bearer(billing.tenant.api_token(client, billing.tenant.staff("Billing")))
    pages = ["/serviceview/list/", "/orderview/list/", "/api/v1/orders/", "/api/v1/services/",
             "/api/v1/transactions/"]

    def pending_payment(session, order_id):  # a transaction allocated to the order's invoice
        invoice = session.get(Order, order_id).invoice
        payment = Transaction(gateway="bank_transfer", customer_id=invoice.customer_id, currency="EUR",
                              amount=invoice.total, invoice_id=invoice.id)
        payment.allocations = [Allocation(invoice_id=invoice.id, amount=invoice.total, currency="EUR",
                                          customer_id=invoice.customer_id)]
        session.add(payment)

    counts = {}
    for rows in (2, 8):
        while billing.run(lambda s: len(s.scalars(select(Order.id)).all())) < rows:
            order(billing, billing.customer(), plans["small"], pay=False)
            billing.run(lambda s: pending_payment(s, max(s.scalars(select(Order.id)))))
        for page in pages:
            with query_counter() as counted:
                assert client.get(page, base_url=billing.host, headers=token).status_code == 200
            counts.setdefault(page, []).append(counted[0])
    assert all(few == many for few, many in counts.values()), counts
