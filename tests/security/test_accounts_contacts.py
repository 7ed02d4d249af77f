"""Customers' logins: staff invite a customer (form action and REST), the
owner invites contacts with permissions, changes and revokes them (page and
REST); contacts see what their permissions allow; every endpoint answers 404
for another customer's or tenant's objects and the same for known addresses."""

import re
import statistics
import time

from sqlalchemy import select

from mpanel.testing.accounts import link_in
from mpanel.testing.pytest_plugin import bearer, csrf_token

CHOSEN = "a contact's own passphrase"


def _accept(app, message, password=CHOSEN):
    browser = app.test_client()
    link = link_in(message, "invitation")
    page = browser.get(link)
    done = browser.post(link, data={"password": password, "confirm": password,
                                    "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert done.status_code == 302, done.get_data(as_text=True)


def _owner_token(app, client, tenant, smtp, **customer):
    """A customer invited by staff over REST whose owner accepted; (customer id, owner e-mail, token)."""
    staff = tenant.api_token(client, tenant.staff("Support"))
    customer_id = tenant.customer(**customer)
    response = client.post(f"/api/v1/customers/{customer_id}/invitation", base_url=tenant.host,
                           headers=bearer(staff))
    assert response.status_code == 202, response.get_json()
    email = _customer_email(app, tenant, customer_id)
    [message] = smtp.to(email)
    _accept(app, message)
    return customer_id, email, tenant.api_token(client, email, password=CHOSEN)


def _customer_email(app, tenant, customer_id):
    from mpanel.extensions import db
    from mpanel.modules.customers.models import Customer

    with app.app_context(), tenant.scope():
        return db.session.get(Customer, customer_id).email


def test_staff_invite_a_customer_and_the_owner_manages_contacts_over_rest(app, client, factory, tenant, smtp):
    customer_id, owner, token = _owner_token(app, client, tenant, smtp)
    listed = client.get("/api/v1/client/contacts/", base_url=tenant.host, headers=bearer(token)).get_json()
    assert [(c["email"], c["owner"]) for c in listed["result"]] == [(owner, True)]

    bad = client.post("/api/v1/client/contacts/", base_url=tenant.host, headers=bearer(token),
                      json={"email": "x@example.com", "permissions": ["root"]})
    assert bad.status_code == 400 and "permissions" in bad.get_json()["message"]
    made = client.post("/api/v1/client/contacts/", base_url=tenant.host, headers=bearer(token),
                       json={"email": "Bill@Example.com", "permissions": ["billing"]})
    assert made.status_code == 202
    [message] = smtp.to("bill@example.com")
    _accept(app, message)
    bill_token = tenant.api_token(client, "bill@example.com", password=CHOSEN)
    bill = next(c for c in client.get("/api/v1/client/contacts/", base_url=tenant.host,
                                      headers=bearer(token)).get_json()["result"] if c["email"] == "bill@example.com")
    assert bill["permissions"] == ["billing"]
    # A contact who is not the owner manages nobody.
    assert client.get("/api/v1/client/contacts/", base_url=tenant.host, headers=bearer(bill_token)).status_code == 403
    changed = client.put(f"/api/v1/client/contacts/{bill['id']}", base_url=tenant.host, headers=bearer(token),
                         json={"permissions": ["billing", "domains"]})
    assert changed.status_code == 200 and changed.get_json()["result"]["permissions"] == ["billing", "domains"]

    # Another customer's owner (same tenant) and another tenant's staff find nothing.
    _other_id, _other_owner, other_token = _owner_token(app, client, tenant, smtp)
    for method in ("put", "delete"):
        response = getattr(client, method)(f"/api/v1/client/contacts/{bill['id']}", base_url=tenant.host,
                                           headers=bearer(other_token), json={"permissions": []})
        assert response.status_code == 404, method
    elsewhere = factory.tenant()
    stranger = elsewhere.api_token(client, elsewhere.staff("Owner"))
    assert client.post(f"/api/v1/customers/{customer_id}/invitation", base_url=elsewhere.host,
                       headers=bearer(stranger)).status_code == 404
    owner_row = listed["result"][0]["id"]
    assert client.delete(f"/api/v1/client/contacts/{owner_row}", base_url=tenant.host,
                         headers=bearer(token)).status_code == 409
    assert client.delete(f"/api/v1/client/contacts/{bill['id']}", base_url=tenant.host,
                         headers=bearer(token)).status_code == 200
    assert client.post("/api/v1/security/login", base_url=tenant.host,
                       json={"username": "bill@example.com", "password": CHOSEN}).status_code == 401


def test_invitations_answer_the_same_for_known_addresses(app, client, tenant, smtp):
    _customer, owner, token = _owner_token(app, client, tenant, smtp)
    known = tenant.staff("Billing")
    answers, timings = set(), {"known": [], "unknown": []}
    for n in range(3):
        for kind, email in (("known", known), ("unknown", f"new{n}@example.com")):
            start = time.perf_counter()
            response = client.post("/api/v1/client/contacts/", base_url=tenant.host, headers=bearer(token),
                                   json={"email": email, "permissions": ["technical"]})
            timings[kind].append(time.perf_counter() - start)
            answers.add((response.status_code, response.get_data(as_text=True)))
    assert len(answers) == 1
    known_median, unknown_median = (statistics.median(timings[k]) for k in ("known", "unknown"))
    assert known_median < 3 * unknown_median and unknown_median < 3 * known_median, timings
    assert len(smtp.to(known)) == 3 and "exists already" in smtp.to(known)[0].get_body(("plain",)).get_content()
    assert owner


def test_owner_page_and_permissions_in_the_client_area(app, client, tenant, smtp):
    customer_id = tenant.customer(company="Paged Co")
    staff = app.test_client()
    tenant.web_login(staff, tenant.staff("Owner"))
    listing = staff.get("/customerview/list/", base_url=tenant.host).get_data(as_text=True)
    staff.post("/customerview/action_post", base_url=tenant.host,
               data={"action": "invite", "rowid": str(customer_id), "csrf_token": csrf_token(listing)})
    owner = _customer_email(app, tenant, customer_id)
    [message] = smtp.to(owner)
    _accept(app, message)
    tenant.web_login(client, owner, CHOSEN)
    page = client.get("/client/contacts/", base_url=tenant.host)
    assert page.status_code == 200 and "Paged Co" not in re.findall(r'data-email="([^"]+)"', page.get_data(True))
    client.post("/client/contacts/", base_url=tenant.host, data={
        "email": "tech@example.com", "permissions": ["technical"], "csrf_token": csrf_token(page.get_data(True))})
    [invite] = smtp.to("tech@example.com")
    _accept(app, invite)
    tech = app.test_client()
    tenant.web_login(tech, "tech@example.com", CHOSEN)
    menu = tech.get("/client/", base_url=tenant.host).get_data(as_text=True)
    assert "/client/billing/" not in menu and "/client/contacts/" not in menu
    assert tech.get("/client/billing/", base_url=tenant.host).status_code == 403
    assert tech.get("/client/contacts/", base_url=tenant.host).status_code == 403
    with app.app_context(), tenant.scope():
        from mpanel.core.security.models import MPanelUser
        from mpanel.extensions import db

        tech_id = db.session.scalar(select(MPanelUser.id).where(MPanelUser.email == "tech@example.com"))
    page = client.get("/client/contacts/", base_url=tenant.host)
    client.post(f"/client/contacts/{tech_id}", base_url=tenant.host, data={
        "permissions": ["billing"], "csrf_token": csrf_token(page.get_data(True))})
    assert tech.get("/client/billing/", base_url=tenant.host).status_code == 200
