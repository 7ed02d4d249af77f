"""The registry is asked again when a domain is ordered: a taken name (or, to
transfer, a free one) is a field error naming the domain, and a registry that
cannot be reached bills nothing, from the client area and over REST alike."""

import pytest
from mpanel_billing.models import Invoice, Order
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.testing import TODAY
from mpanel_registrar_demo.models import DemoRegistration
from sqlalchemy import func, select

from mpanel.core.settings import set_settings
from mpanel.testing.pytest_plugin import bearer, csrf_token


def _counts(shop):
    return shop.run(lambda s: tuple(s.scalar(select(func.count(model.id)))
                                    for model in (Order, Invoice, Domain, DomainAction)))


def _post(client, shop, customer_id, line):
    token = shop.tenant.api_token(client, shop.tenant.staff("Owner"))
    return client.post("/api/v1/orders/", base_url=shop.host, headers=bearer(token),
                       json={"customer_id": customer_id, "lines": [line]})


@pytest.fixture
def customer(shop):
    return shop.customer(phone="+49.301234567")


def test_client_order_of_a_name_taken_since_the_search_bills_nothing(client, shop, customer):
    shop.tenant.web_login(client, shop.tenant.contact(customer))
    page = client.get("/client/domains/search?q=late", base_url=shop.host).get_data(as_text=True)
    assert "late.com" in page  # free when searched ...
    shop.run(lambda s: s.add(DemoRegistration(name="late.com", expires_at=TODAY, auth_code="theirs")))
    before = _counts(shop)
    response = client.post("/client/domains/order", base_url=shop.host, data={
        "csrf_token": csrf_token(page), "name": "late.com", "action": "register", "years": "1"})
    assert response.status_code == 400
    error = response.get_data(as_text=True).split('id="search-error"', 1)[1].split("</div>", 1)[0]
    assert "domain: late.com is not available" in error
    assert _counts(shop) == before


@pytest.mark.parametrize(("line", "message"), [
    ({"domain": "taken.com"}, "taken.com is not available"),
    ({"domain": "free-name.com", "action": "transfer", "auth_code": "Move-Me-42"},
     "free-name.com is not registered, so it cannot be transferred"),
])
def test_rest_order_that_the_registry_refuses_is_a_field_error(client, shop, customer, line, message):
    before = _counts(shop)
    response = _post(client, shop, customer, line)
    assert response.status_code == 400, response.get_json()
    [text] = response.get_json()["message"]["lines[0].domain"]
    assert message in text
    assert _counts(shop) == before


def test_rest_orders_a_free_name_and_transfers_a_registered_one(client, shop, customer):
    registered = _post(client, shop, customer, {"domain": "free-name.com"})
    assert registered.status_code == 201, registered.get_json()
    moved = _post(client, shop, customer, {"domain": "google.com", "action": "transfer", "auth_code": "Move-Me-42"})
    assert moved.status_code == 201, moved.get_json()
    assert shop.run(lambda s: dict(s.execute(select(Domain.name, Domain.status)).all())) == {
        "free-name.com": "pending_registration", "google.com": "pending_transfer"}


def test_registry_failing_the_check_bills_nothing(client, two_registrars, server, customer):
    shop = two_registrars
    before = _counts(shop)
    server.fail_next_command(2400, "Command failed")  # the check
    response = _post(client, shop, customer, {"domain": "outage.example"})
    assert response.status_code == 400, response.get_json()
    [text] = response.get_json()["message"]["lines[0].domain"]
    assert "cannot be reached right now" in text
    assert _counts(shop) == before
    again = _post(client, shop, customer, {"domain": "outage.example"})  # the registry is back
    assert again.status_code == 201, again.get_json()
    assert "create" not in [verb for _client, verb, _trid in server.commands]  # nothing registered before payment


def test_registry_down_bills_nothing_in_the_client_area(client, two_registrars, server, customer):
    from mpanel_billing.testing import free_port

    shop = two_registrars
    shop.run(lambda s: set_settings(s, "registrar_epp", {"port": str(free_port())}))  # nobody listens there
    shop.tenant.web_login(client, shop.tenant.contact(customer))
    page = client.get("/client/domains/search?q=down.test", base_url=shop.host).get_data(as_text=True)
    before = _counts(shop)
    response = client.post("/client/domains/order", base_url=shop.host, data={
        "csrf_token": csrf_token(page), "name": "down.example", "action": "register", "years": "1"})
    assert response.status_code == 400
    error = response.get_data(as_text=True).split('id="search-error"', 1)[1].split("</div>", 1)[0]
    assert "The registry of down.example cannot be reached right now" in error
    assert _counts(shop) == before
    # The sandbox's TLD is unaffected.
    ordered = client.post("/client/domains/order", base_url=shop.host, data={
        "csrf_token": csrf_token(page), "name": "down.test", "action": "register", "years": "1"})
    assert ordered.status_code == 302

