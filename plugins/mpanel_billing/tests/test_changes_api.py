"""REST for services and orders: lists (filters, pages, scope), plan changes and
cancellations by staff for any customer and by a contact for their own account."""

import pytest
from mpanel_billing.models import Invoice, Service, ServicePeriod
from mpanel_billing.testing import VAT, D, cents, make_plans, order
from sqlalchemy import func, select

from mpanel.core.clock import tenant_today
from mpanel.testing.pytest_plugin import bearer


@pytest.fixture
def shop(client, billing):
    billing.plans = make_plans(billing)
    billing.owner = bearer(billing.tenant.api_token(client, billing.tenant.staff("Owner")))
    return billing


def api(client, shop, method, path, headers, **kwargs):
    return getattr(client, method)(f"/api/v1/{path}", base_url=shop.host, headers=headers, **kwargs)


def contact_token(client, shop, customer_id):
    return bearer(shop.tenant.api_token(client, shop.tenant.contact(customer_id)))


def today_order(shop, customer_id, product="small", **kwargs):
    return order(shop, customer_id, shop.plans[product], on=shop.run(tenant_today), **kwargs)


def test_staff_change_a_customers_plan_prorated_by_days(client, shop):
    customer_id = shop.customer()
    service_id = today_order(shop, customer_id)
    today = shop.run(tenant_today)
    start, end = shop.run(lambda s: s.execute(select(ServicePeriod.period_start, ServicePeriod.period_end)).one())
    left, total = (end - today).days + 1, (end - start).days + 1
    charge = cents(D("31.00") * left / total)
    quote = api(client, shop, "get", f"services/{service_id}/change?product={shop.plans['large']}&cycle=monthly",
                shop.owner)
    assert quote.status_code == 200, quote.get_json()
    assert quote.get_json()["result"]["charge"] == str(charge) and quote.get_json()["result"]["mode"] == "immediate"
    done = api(client, shop, "post", f"services/{service_id}/change", shop.owner,
               json={"product": shop.plans["large"], "cycle": "monthly"})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["result"]["recurring_amount"] == "31.00" and body["change"]["charge"] == str(charge)
    assert body["invoice"]["total"] == str(cents(charge * VAT))
    assert [note["kind"] for note in body["credit_notes"]] == ["credit_note"]


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"product": 999999, "cycle": "monthly"}, "product", 400),
    ({"product": "LARGE", "cycle": "fortnightly"}, "cycle", 400),
    ({"product": "SMALL", "cycle": "monthly"}, "product", 400),
    ({"product": "LARGE"}, "cycle", 400),
    ({"product": "LARGE", "cycle": "onetime"}, "cycle", 400),
    ({"product": "abc", "cycle": "monthly"}, "product", 400),
    ({"product": True, "cycle": "monthly"}, "product", 400),
    ({"product": {"id": 1}, "cycle": ["monthly"]}, "cycle", 400),
    (["not", "an", "object"], "body", 400),
])
def test_bad_change_requests_are_4xx_naming_the_field_and_write_nothing(client, shop, body, field, status):
    service_id = today_order(shop, shop.customer())
    if isinstance(body, dict):
        body = {k: shop.plans.get(str(v).lower(), v) if k == "product" else v for k, v in body.items()}
    response = api(client, shop, "post", f"services/{service_id}/change", shop.owner, json=body)
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["message"]
    assert shop.run(lambda s: s.scalar(select(func.count(Invoice.id)))) == 1
    assert shop.run(lambda s: s.get(Service, service_id).product_id) == shop.plans["small"]


def test_a_contact_changes_and_cancels_own_services_only(client, shop):
    mine, theirs = shop.customer(), shop.customer()
    own, other = today_order(shop, mine), today_order(shop, theirs)
    token = contact_token(client, shop, mine)
    changed = api(client, shop, "post", f"services/{own}/change", token,
                  json={"product": shop.plans["large"], "cycle": "monthly"})
    assert changed.status_code == 200, changed.get_json()
    cancelled = api(client, shop, "post", f"services/{own}/cancel", token, json={"when": "period_end"})
    assert cancelled.status_code == 200 and cancelled.get_json()["result"]["cancel_at"]
    bad = api(client, shop, "post", f"services/{own}/cancel", token, json={"when": "someday"})
    assert bad.status_code == 400 and "when" in bad.get_json()["message"]
    # Staff only: moving a service to any status.
    assert api(client, shop, "post", f"services/{own}/status", token, json={"status": "active"}).status_code == 403
    for method, path, body in (("get", f"services/{other}", None), ("get", f"services/{other}/change", None),
                               ("post", f"services/{other}/change", {"product": shop.plans["large"],
                                                                     "cycle": "monthly"}),
                               ("post", f"services/{other}/cancel", {"when": "now"})):
        response = api(client, shop, method, path, token, json=body)
        assert response.status_code == 404, (path, response.status_code)
    assert shop.run(lambda s: (s.get(Service, other).status, s.get(Service, other).product_id)) == (
        "active", shop.plans["small"])


def test_service_list_filters_pages_and_scope(client, shop):
    alice, bob = shop.customer(), shop.customer()
    active = [today_order(shop, alice) for _ in range(3)]
    pending = today_order(shop, alice, pay=False)
    bobs = today_order(shop, bob)
    listed = api(client, shop, "get", "services/?status=active&page_size=2", shop.owner).get_json()
    assert listed["count"] == 4 and [s["id"] for s in listed["result"]] == [bobs, active[2]]
    second = api(client, shop, "get", "services/?status=active&page_size=2&page=1", shop.owner).get_json()
    assert [s["id"] for s in second["result"]] == [active[1], active[0]]
    by_customer = api(client, shop, "get", f"services/?customer_id={alice}", shop.owner).get_json()
    assert sorted(s["id"] for s in by_customer["result"]) == sorted([*active, pending])
    assert by_customer["result"][0]["recurring_amount"] == "10.00"
    own = api(client, shop, "get", "services/", contact_token(client, shop, bob)).get_json()
    assert (own["count"], own["result"][0]["id"]) == (1, bobs)
    snooped = api(client, shop, "get", f"services/?customer_id={alice}", contact_token(client, shop, bob)).get_json()
    assert snooped["count"] == 0
    bad = api(client, shop, "get", "services/?status=lost&page=-1&customer_id=x", shop.owner)
    assert bad.status_code == 400 and {"status", "page", "customer_id"} <= set(bad.get_json()["message"])


def test_order_list_and_staff_orders_for_a_customer(client, shop):
    alice, bob = shop.customer(), shop.customer()
    line = [{"product": shop.plans["small"], "cycle": "monthly"}]
    placed = api(client, shop, "post", "orders/", shop.owner, json={"customer_id": alice, "lines": line})
    assert placed.status_code == 201 and placed.get_json()["result"]["customer_id"] == alice
    # A contact cannot order for someone else: their own account it is.
    token = contact_token(client, shop, bob)
    own = api(client, shop, "post", "orders/", token, json={"customer_id": alice, "lines": line})
    assert own.status_code == 201 and own.get_json()["result"]["customer_id"] == bob
    listed = api(client, shop, "get", "orders/", shop.owner).get_json()
    assert [o["customer_id"] for o in listed["result"]] == [bob, alice] and listed["count"] == 2
    assert listed["result"][0]["invoice"]["total"] == str(cents(D("15.00") * VAT))
    assert api(client, shop, "get", f"orders/?customer_id={alice}", shop.owner).get_json()["count"] == 1
    mine = api(client, shop, "get", "orders/", token).get_json()
    assert [o["customer_id"] for o in mine["result"]] == [bob]
    assert api(client, shop, "get", "orders/?page_size=0", shop.owner).status_code == 400


def test_read_only_staff_read_but_do_not_change(client, shop):
    service_id = today_order(shop, shop.customer())
    token = bearer(shop.tenant.api_token(client, shop.tenant.staff("Read-only")))
    assert api(client, shop, "get", "services/", token).status_code == 200
    assert api(client, shop, "get", f"services/{service_id}", token).status_code == 200
    refused = api(client, shop, "post", f"services/{service_id}/cancel", token, json={"when": "now"})
    assert refused.status_code == 403
    assert shop.run(lambda s: s.get(Service, service_id).status) == "active"


def test_the_service_endpoints_are_in_the_openapi_document(client, shop):
    paths = api(client, shop, "get", "_openapi", shop.owner).get_json()["paths"]
    for path in ("/services/", "/services/{pk}/change", "/services/{pk}/cancel", "/orders/"):
        assert f"/api/v1{path}" in paths, path
