"""Client area, marketplace and OpenAPI pages, per role."""

import pytest

from mpanel.testing.pytest_plugin import PASSWORD, bearer


def test_client_area_shows_the_contacts_own_account_only(client, factory):
    t = factory.tenant()
    mine, other = t.customer(last_name="Mine", company="Mine GmbH"), t.customer(company="Other Ltd")
    t.web_login(client, t.contact(mine))
    page = client.get("/client/", base_url=t.host)
    assert page.status_code == 200
    assert "Mine GmbH" in page.get_data(as_text=True) and "Other Ltd" not in page.get_data(as_text=True)
    # Contacts are not staff: admin screens are closed to them.
    assert client.get("/customerview/list/", base_url=t.host).status_code in (302, 403)
    assert client.get(f"/customerview/show/{other}", base_url=t.host).status_code in (302, 403, 404)


def test_client_area_sends_visitors_to_login_and_refuses_staff(client, factory):
    t = factory.tenant()
    response = client.get("/client/", base_url=t.host)
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    t.web_login(client, t.staff("Owner"))
    assert client.get("/client/", base_url=t.host).status_code == 404


def test_marketplace_page_per_role(client, factory):
    t = factory.tenant(plugins=[])
    t.web_login(client, t.staff("Owner"))
    page = client.get("/marketplace/", base_url=t.host).get_data(as_text=True)
    assert 'data-plugin="testplugin"' in page and "Activate" in page
    client.get("/logout/", base_url=t.host)
    t.web_login(client, t.staff("Support"))
    assert client.get("/marketplace/", base_url=t.host).status_code in (302, 403)


def test_marketplace_form_activates_with_csrf_only(client, factory):
    from mpanel.testing.pytest_plugin import csrf_token

    t = factory.tenant(plugins=[])
    t.web_login(client, t.staff("Owner"))
    refused = client.post("/marketplace/testplugin/activate", base_url=t.host)
    assert refused.status_code == 400
    token = csrf_token(client.get("/marketplace/", base_url=t.host).get_data(as_text=True))
    done = client.post("/marketplace/testplugin/activate", base_url=t.host, data={"csrf_token": token})
    assert done.status_code == 302
    page = client.get("/marketplace/", base_url=t.host).get_data(as_text=True)
    assert "Deactivate" in page


def test_operator_sees_plugin_usage_across_tenants(client, factory, app):
    import pyotp

    from mpanel.core.security import mfa
    from mpanel.core.security.roles import OPERATOR
    from mpanel.core.security.users import create_user
    from mpanel.testing.pytest_plugin import csrf_token

    used = factory.tenant(plugins=["testplugin"])
    email = f"op-{used.slug}@platform.example"

    def operator_with_totp(session):  # operators always sign in with a second factor
        user = create_user(email, PASSWORD, OPERATOR)
        session.flush()
        return mfa.confirm(session, user, pyotp.TOTP(mfa.pending_secret(session, user)).now())

    codes = factory.commit(operator_with_totp)
    page = client.get("/login/", base_url="http://localhost")
    client.post("/login/", base_url="http://localhost",
                data={"username": email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    page = client.get("/login/mfa/", base_url="http://localhost")
    client.post("/login/mfa/", base_url="http://localhost",
                data={"code": codes[0], "csrf_token": csrf_token(page.get_data(as_text=True))})
    usage = client.get("/marketplace/", base_url="http://localhost").get_data(as_text=True)
    assert "Usage by tenant" in usage and used.slug in usage


def test_openapi_describes_the_kernel_endpoints(client, factory):
    t = factory.tenant()
    token = t.api_token(client, t.staff("Read-only"))
    spec = client.get("/api/v1/_openapi", base_url=t.host, headers=bearer(token)).get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/customers/", "/security/login", "/security/refresh", "/marketplace/"):
        assert f"/api/v1{path}" in spec["paths"], path


def test_rest_validation_errors_name_the_field_and_save_nothing(client, factory):
    t = factory.tenant()
    token = t.api_token(client, t.staff("Owner"))
    bad = client.post("/api/v1/customers/", base_url=t.host, headers=bearer(token), json={
        "first_name": "A", "last_name": "B", "email": "a@b.example", "country": "XX", "currency": "EURO",
        "language": "en", "vat_id": "DE123"})
    assert bad.status_code == 400
    assert set(bad.get_json()["message"]) == {"country", "currency", "vat_id"}
    listing = client.get("/api/v1/customers/", base_url=t.host, headers=bearer(token)).get_json()
    assert listing["count"] == 0
    page = client.get("/api/v1/customers/?q=(page:0,page_size:1)", base_url=t.host, headers=bearer(token))
    assert page.status_code == 200


def test_customer_list_has_a_query_budget(client, factory, query_counter):
    t = factory.tenant()
    token = t.api_token(client, t.staff("Owner"))
    counts = []
    for _ in range(2):
        for _ in range(10):
            t.customer()
        with query_counter() as counted:
            response = client.get("/api/v1/customers/?q=(page_size:100)", base_url=t.host, headers=bearer(token))
        assert response.status_code == 200
        counts.append(counted[0])
    assert counts[0] == counts[1] <= 12  # 10 or 20 customers: the same few statements


def test_contact_permissions_guard_client_pages(client, factory):
    t = factory.tenant()
    customer = t.customer()
    t.web_login(client, t.contact(customer, permissions=("billing",)))
    assert client.get("/client/notes/", base_url=t.host).status_code == 403
    client.get("/logout/", base_url=t.host)
    t.web_login(client, t.contact(customer, permissions=("technical",)))
    assert client.get("/client/notes/", base_url=t.host).get_data(as_text=True) == "technical notes"


def test_staff_email_is_unique_per_tenant_not_globally(factory):
    from mpanel.core.security.users import UserError

    a, b = factory.tenant(), factory.tenant()
    a.staff("Owner", email="same@example.com")
    b.staff("Admin", email="same@example.com")
    with pytest.raises(UserError):
        a.staff("Support", email="SAME@example.com")


def test_outbox_is_visible_to_admins_not_support(client, factory):
    from mpanel.core import outbox

    t = factory.tenant()
    factory.commit(lambda s: outbox.enqueue(s, "no.such.handler", {}), t.id)
    t.web_login(client, t.staff("Admin"))
    page = client.get("/outboxview/list/", base_url=t.host).get_data(as_text=True)
    assert "no.such.handler" in page and "LookupError" in page
    client.get("/logout/", base_url=t.host)
    t.web_login(client, t.staff("Support"))
    assert client.get("/outboxview/list/", base_url=t.host).status_code in (302, 403)


def test_rest_stores_codes_in_their_canonical_spelling(client, factory):
    t = factory.tenant()
    token = t.api_token(client, t.staff("Owner"))
    response = client.post("/api/v1/customers/", base_url=t.host, headers=bearer(token), json={
        "first_name": "A", "last_name": "B", "email": "lower@b.example", "country": "de", "currency": "eur",
        "language": "en", "vat_id": "de 123456788"})
    assert response.status_code == 201, response.get_json()
    stored = client.get(f"/api/v1/customers/{response.get_json()['id']}", base_url=t.host,
                        headers=bearer(token)).get_json()["result"]
    assert (stored["country"], stored["currency"], stored["vat_id"]) == ("DE", "EUR", "DE123456788")


def test_admin_form_saves_an_unticked_box(client, factory, app):
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db
    from mpanel.modules.customers.models import Customer
    from mpanel.testing.pytest_plugin import csrf_token

    t = factory.tenant()
    customer_id = t.customer(tax_exempt=True, company="Exempt AG")
    t.web_login(client, t.staff("Owner"))
    form = client.get(f"/customerview/edit/{customer_id}", base_url=t.host).get_data(as_text=True)
    data = {"first_name": "Chris", "last_name": "Client", "email": "exempt@example.com", "country": "DE",
            "currency": "EUR", "language": "en", "active": "y", "csrf_token": csrf_token(form)}  # tax_exempt unticked
    response = client.post(f"/customerview/edit/{customer_id}", base_url=t.host, data=data)
    assert response.status_code == 302
    with app.app_context(), tenant_scope(t.id):
        assert db.session.get(Customer, customer_id).tax_exempt is False
