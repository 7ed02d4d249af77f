"""Log in as client: only staff with the permission, audited, shown to the
customer, read-only unless the tenant allows more, ended by signing out."""

from mpanel.testing.pytest_plugin import csrf_token
from mpanel.testing.security import audit_actions


def _impersonate(client, tenant, customer_id):
    listing = client.get("/customerview/list/", base_url=tenant.host).get_data(as_text=True)
    return client.post("/customerview/action_post", base_url=tenant.host,
                       data={"action": "impersonate", "rowid": str(customer_id), "csrf_token": csrf_token(listing)})


def test_support_logs_in_as_client_read_only_and_the_customer_sees_it(app, client, tenant):
    customer_id = tenant.customer(company="Helped Co")
    contact = tenant.contact(customer_id)
    tenant.web_login(client, tenant.staff("Support"))
    response = _impersonate(client, tenant, customer_id)
    assert response.status_code == 302 and response.headers["Location"] == "/client/"
    page = client.get("/client/", base_url=tenant.host).get_data(as_text=True)
    assert 'id="impersonation"' in page and "Helped Co" in page
    token = csrf_token(client.get("/client/profile/", base_url=tenant.host).get_data(as_text=True))
    refused = client.post("/client/billing/cart", base_url=tenant.host, data={"csrf_token": token})
    assert refused.status_code == 302 and refused.headers["Location"] == "/client/"
    assert "client_login" in audit_actions(app, tenant.id)
    client.get("/logout/", base_url=tenant.host)

    customer_browser = app.test_client()
    tenant.web_login(customer_browser, contact)
    security = customer_browser.get("/security/", base_url=tenant.host).get_data(as_text=True)
    assert 'id="staff-visits"' in security and "support-" in security
    assert 'id="impersonation"' not in customer_browser.get("/client/", base_url=tenant.host).get_data(True)


def test_without_the_permission_or_a_login_nothing_happens(client, tenant):
    customer_id = tenant.customer()
    tenant.web_login(client, tenant.staff("Billing"))
    response = _impersonate(client, tenant, customer_id)
    assert response.status_code in (302, 403, 404)
    assert client.get("/client/", base_url=tenant.host).status_code == 404  # still staff
    client.get("/logout/", base_url=tenant.host)
    tenant.web_login(client, tenant.staff("Owner"))
    no_login = _impersonate(client, tenant, customer_id)
    assert no_login.status_code == 302 and no_login.headers["Location"] != "/client/"
    assert client.get("/client/", base_url=tenant.host).status_code == 404


def test_the_tenant_may_allow_changes(app, client, tenant):
    from mpanel.extensions import db
    from mpanel.modules.accounts import settings

    with app.app_context(), tenant.scope():
        settings.save(db.session, {"impersonation_write": True})
        db.session.commit()
    customer_id = tenant.customer()
    tenant.contact(customer_id)
    tenant.web_login(client, tenant.staff("Admin"))
    _impersonate(client, tenant, customer_id)
    page = client.get("/client/profile/", base_url=tenant.host).get_data(as_text=True)
    assert 'id="impersonation"' in page
    posted = client.post("/client/billing/cart", base_url=tenant.host, data={"csrf_token": csrf_token(page)})
    assert posted.headers.get("Location") != "/client/"
