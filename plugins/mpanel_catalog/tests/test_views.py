"""Admin views per role, and their forms: rules, money never rounded, nothing saved on errors."""

import pytest
from mpanel_catalog.testing import Api, build_catalogue

from mpanel.testing.pytest_plugin import csrf_token

from .test_isolation import VIEWS

MENU_VIEWS = ["catalogproductgroupview", "catalogproductview", "catalogpriceview", "catalogoptiongroupview",
              "catalogoptionview", "catalogaddonview", "catalogbundleview", "catalogcustomergroupview",
              "catalogcouponview", "catalogtldview", "catalogtldpriceview"]


@pytest.fixture
def shop(client, factory):
    tenant = factory.tenant()
    api = Api(client, tenant)
    api.ids = build_catalogue(api)
    return api


def sign_in(client, tenant, role):
    client.get("/logout/", base_url=tenant.host)
    tenant.web_login(client, tenant.staff(role))


def submit(client, tenant, url, data):
    """Post a FAB form the way a browser does (CSRF token from the form page)."""
    page = client.get(url, base_url=tenant.host)
    assert page.status_code == 200, url
    return client.post(url, base_url=tenant.host, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))},
                       follow_redirects=True)


@pytest.mark.parametrize(("role", "writes"), [("Owner", True), ("Billing", True), ("Support", False),
                                              ("Read-only", False)])
def test_pages_per_role(client, shop, role, writes):
    tenant, ids = shop.tenant, shop.ids
    sign_in(client, tenant, role)
    for view in MENU_VIEWS:
        assert client.get(f"/{view}/list/", base_url=tenant.host).status_code == 200, (role, view)
    for key, view in VIEWS.items():
        assert client.get(f"/{view}/show/{ids[key]}", base_url=tenant.host).status_code == 200, (role, key)
    menu = client.get("/catalogproductview/list/", base_url=tenant.host).get_data(as_text=True)
    assert "Catalogue" in menu and "Product groups" in menu
    add = client.get("/catalogproductview/add", base_url=tenant.host)
    markup = client.get("/catalogtldmarkupview/form", base_url=tenant.host)
    if writes:
        assert add.status_code == 200 and markup.status_code == 200
    else:
        assert add.status_code in (302, 403) and markup.status_code in (302, 403)
        client.post(f"/catalogproductview/delete/{ids['other_product']}", base_url=tenant.host)
        assert shop("get", f"catalog-products/{ids['other_product']}").status_code == 200


def test_a_price_form_keeps_every_decimal_and_refuses_negative_prices(client, shop):
    tenant, ids = shop.tenant, shop.ids
    sign_in(client, tenant, "Billing")
    before = shop.count("catalog-prices")
    page = submit(client, tenant, "/catalogpriceview/add", {
        "product": ids["product"], "currency": "EUR", "cycle": "annually", "price": "99.9999", "setup_fee": "0"})
    assert page.status_code == 200
    rows = shop("get", "catalog-prices/?cycle=annually&page_size=100")
    prices = {row["price"] for row in rows.get_json()["result"]}
    assert "99.9999" in prices and shop.count("catalog-prices") == before + 1
    edit = client.get(f"/catalogpriceview/edit/{ids['price']}", base_url=tenant.host).get_data(as_text=True)
    assert 'value="12.50"' in edit  # the currency's places, no rounding: saving again changes nothing
    for data, message in (({"price": "-5"}, "must not be negative"), ({"currency": "EURO"}, "ISO 4217"),
                          ({"cycle": "monthly"}, "already exists")):
        page = submit(client, tenant, "/catalogpriceview/add", {
            "product": ids["product"], "currency": "EUR", "cycle": "biennially", "price": "1", "setup_fee": "0",
            **data})
        assert message in page.get_data(as_text=True), data
    assert shop.count("catalog-prices") == before + 1


def test_product_form_edits_provisioning_settings_as_json(client, shop):
    tenant, ids = shop.tenant, shop.ids
    sign_in(client, tenant, "Admin")
    fields = {"group": ids["group"], "type": "vps", "name": "VPS XL", "stock_quantity": "0", "sort_order": "0",
              "provisioning_settings": '{"node": "pve2"}'}
    submit(client, tenant, "/catalogproductview/add", fields)
    created = shop("get", "catalog-products/?name=VPS%20XL").get_json()
    assert created["count"] == 1
    product = shop("get", f"catalog-products/{created['ids'][0]}").get_json()["result"]
    assert product["provisioning_settings"] == {"node": "pve2"}
    page = submit(client, tenant, "/catalogproductview/add", {**fields, "name": "Broken",
                                                              "provisioning_settings": "{node"})
    assert "not valid JSON" in page.get_data(as_text=True)
    page = submit(client, tenant, f"/catalogproductview/edit/{ids['product']}",
                  {**fields, "name": "VPS M", "upgrades": ids["product"]})
    assert "cannot be upgraded or downgraded to itself" in page.get_data(as_text=True)
    assert shop.count("catalog-products") == 3


def test_delete_of_a_row_in_use_is_refused_with_a_message(client, shop):
    tenant, ids = shop.tenant, shop.ids
    sign_in(client, tenant, "Owner")
    token = csrf_token(client.get("/catalogproductgroupview/add", base_url=tenant.host).get_data(as_text=True))
    page = client.post(f"/catalogproductgroupview/delete/{ids['group']}", base_url=tenant.host,
                       data={"csrf_token": token}, follow_redirects=True)
    assert "still used by 2" in page.get_data(as_text=True)
    assert shop("get", f"catalog-product-groups/{ids['group']}").status_code == 200


def test_markup_form(client, shop):
    tenant, ids = shop.tenant, shop.ids
    sign_in(client, tenant, "Billing")
    page = submit(client, tenant, "/catalogtldmarkupview/form", {"currency": "GBP", "percent": "40", "ending": "0.49"})
    assert "1 prices updated" in page.get_data(as_text=True)
    assert shop("get", f"catalog-tld-prices/{ids['tld_price']}").get_json()["result"]["price"] == "13.4900"
    page = submit(client, tenant, "/catalogtldmarkupview/form", {"percent": "5", "ending": "0.99"})
    assert "currency" in page.get_data(as_text=True)
