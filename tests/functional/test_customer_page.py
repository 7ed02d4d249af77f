"""The staff customer page: the kernel's parts, the sections plugins add, internal
notes that only staff of the tenant can read (RLS), and its permissions."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.customers.models import CustomerNote
from mpanel.testing.pytest_plugin import csrf_token


def test_staff_see_billing_and_domains_sections_and_add_a_note(client, billing):
    customer_id = billing.customer(company="Page Kunde GmbH")
    invoice_id = billing.invoice(customer_id, [("Hosting", "1", "10.00")])
    number = billing.load(invoice_id, lambda i: i.number)
    billing.tenant.web_login(client, billing.tenant.staff("Support"))
    listed = client.get("/customerview/list/", base_url=billing.host).get_data(as_text=True)
    assert f'href="/customers/{customer_id}"' in listed
    page = client.get(f"/customers/{customer_id}", base_url=billing.host).get_data(as_text=True)
    assert "Page Kunde GmbH" in page and number in page and 'id="customer-balance"' in page
    assert 'id="customer-domains"' in page and 'id="customer-new-order"' in page
    assert page.index('id="billing"') < page.index('id="domains"') < page.index('id="notes"')
    empty = client.post(f"/customers/{customer_id}/notes", base_url=billing.host,
                        data={"body": "  ", "csrf_token": csrf_token(page)})
    assert empty.status_code == 400
    added = client.post(f"/customers/{customer_id}/notes", base_url=billing.host,
                        data={"body": "Calls only <b>mornings</b>", "csrf_token": csrf_token(page)})
    assert added.status_code == 302
    page = client.get(f"/customers/{customer_id}", base_url=billing.host).get_data(as_text=True)
    assert "Calls only &lt;b&gt;mornings&lt;/b&gt;" in page
    assert client.get("/customers/999999", base_url=billing.host).status_code == 404


def test_read_only_staff_cannot_add_notes(client, billing):
    customer_id = billing.customer()
    billing.tenant.web_login(client, billing.tenant.staff("Read-only"))
    page = client.get(f"/customers/{customer_id}", base_url=billing.host)
    assert page.status_code == 200
    refused = client.post(f"/customers/{customer_id}/notes", base_url=billing.host,
                          data={"body": "x", "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert refused.status_code in (302, 403)
    assert billing.run(lambda s: s.scalars(select(CustomerNote)).all()) == []


def test_notes_are_invisible_to_other_tenants_and_to_the_client_scope(app, factory):
    a, b = factory.tenant(), factory.tenant()
    customer_id = a.customer(first_name="Noted", last_name="Customer", email="n@example.com", country="DE",
                             currency="EUR")
    with app.app_context(), tenant_scope(a.id, session=db.session):
        db.session.add(CustomerNote(customer_id=customer_id, body="secret", author="staff@example.com"))
        db.session.commit()
        assert db.session.scalars(select(CustomerNote.body)).all() == ["secret"]
    with app.app_context(), tenant_scope(b.id, session=db.session):
        assert db.session.scalars(select(CustomerNote)).all() == []
        db.session.rollback()
    with app.app_context(), tenant_scope(a.id, customer_id, session=db.session):
        assert db.session.scalars(select(CustomerNote)).all() == []  # the client area's scope
        db.session.rollback()
    with app.app_context(), tenant_scope(b.id, session=db.session):
        with pytest.raises(DBAPIError):  # writing into another tenant's customer is refused by the policy
            db.session.execute(text("INSERT INTO customer_notes (tenant_id, customer_id, body, author) "
                                    "VALUES (:t, :c, 'x', 'y')"), {"t": a.id, "c": customer_id})
            db.session.flush()
        db.session.rollback()
