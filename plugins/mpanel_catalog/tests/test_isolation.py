"""Another tenant's catalogue is invisible: REST, admin views, client area, raw SQL."""

import psycopg
import pytest
from mpanel_catalog.testing import RESOURCES, Api, build_catalogue
from sqlalchemy import text

from mpanel.extensions import db

# Admin view (route base) per catalogue key of build_catalogue().
VIEWS = {
    "group": "catalogproductgroupview", "product": "catalogproductview",
    "translation": "catalogproducttranslationview", "price": "catalogpriceview", "options": "catalogoptiongroupview",
    "option": "catalogoptionview", "choice": "catalogoptionchoiceview", "addon": "catalogaddonview",
    "bundle": "catalogbundleview", "bundle_item": "catalogbundleitemview",
    "customer_group": "catalogcustomergroupview", "member": "catalogcustomergroupmemberview",
    "coupon": "catalogcouponview", "tld": "catalogtldview", "tld_fees": "catalogtldfeesview",
    "tld_price": "catalogtldpriceview",
}


@pytest.fixture
def two_shops(client, factory):
    a, b = factory.tenant(), factory.tenant()
    api_a, api_b = Api(client, a), Api(client, b)
    return api_a, build_catalogue(api_a), api_b, build_catalogue(api_b)


def test_rest_answers_404_for_every_resource_of_another_tenant(two_shops):
    a, ours, b, theirs = two_shops
    for key, resource in RESOURCES.items():
        assert a("get", f"{resource}/{ours[key]}").status_code == 200, key
        for method in ("get", "put", "delete"):
            kwargs = {"json": {}} if method == "put" else {}
            response = a(method, f"{resource}/{theirs[key]}", **kwargs)
            assert response.status_code == 404, (key, method, response.get_json())
        listed = {row["id"] for row in a("get", f"{resource}/?page_size=100").get_json()["result"]}
        assert theirs[key] not in listed and ours[key] in listed, key
    # Nothing of B's changed.
    assert b("get", f"catalog-prices/{theirs['price']}").get_json()["result"]["price"] == "12.5000"
    assert b.count("catalog-products") == 2


def test_quotes_do_not_reach_another_tenants_catalogue(two_shops):
    a, ours, b, theirs = two_shops
    for path, body, field in (
        ("product", {"product": theirs["product"], "cycle": "monthly"}, "product"),
        ("product", {"product": ours["product"], "cycle": "monthly", "customer": theirs["customer"]}, "customer"),
        ("product", {"product": ours["product"], "cycle": "monthly", "coupons": ["SPRING25"],
                     "customer": ours["customer"], "options": {str(theirs["option"]): 2}}, "options"),
        ("bundle", {"bundle": theirs["bundle"], "cycle": "monthly"}, "bundle"),
    ):
        response = a("post", f"catalog-quotes/{path}", json=body)
        assert response.status_code == 400 and field in response.get_json()["message"], (body, response.json)


def test_admin_views_answer_404_for_another_tenants_rows(client, two_shops):
    a, ours, b, theirs = two_shops
    a.tenant.web_login(client, a.tenant.staff("Owner"))
    for key, view in VIEWS.items():
        assert client.get(f"/{view}/show/{ours[key]}", base_url=a.tenant.host).status_code == 200, key
        for page in ("show", "edit"):
            assert client.get(f"/{view}/{page}/{theirs[key]}", base_url=a.tenant.host).status_code == 404, (key, page)
    listing = client.get("/catalogproductview/list/", base_url=a.tenant.host).get_data(as_text=True)
    assert "VPS M" in listing
    b("put", f"catalog-products/{theirs['product']}", json={"name": "Theirs only"})
    assert "Theirs only" not in client.get("/catalogproductview/list/", base_url=a.tenant.host).get_data(as_text=True)


def test_client_area_answers_404_for_another_tenants_product(client, two_shops):
    a, ours, b, theirs = two_shops
    contact = Api(client, a.tenant, email=a.tenant.contact(ours["customer"]))
    assert contact("get", f"client-catalog/products/{ours['product']}").status_code == 200
    assert contact("get", f"client-catalog/products/{theirs['product']}").status_code == 404
    groups = contact("get", "client-catalog/groups").get_json()["result"]
    assert [g["id"] for g in groups] == [ours["group"]]
    a.tenant.web_login(client, a.tenant.contact(ours["customer"]))
    assert client.get(f"/client/catalog/product/{ours['product']}", base_url=a.tenant.host).status_code == 200
    assert client.get(f"/client/catalog/product/{theirs['product']}", base_url=a.tenant.host).status_code == 404
    price = client.get(f"/client/catalog/product/{theirs['product']}/price?cycle=monthly", base_url=a.tenant.host)
    assert price.status_code == 400 and "product" in price.get_json()["message"]


def test_every_catalogue_table_has_forced_row_level_security(app):
    with app.app_context():
        tables = sorted(name for name in db.metadata.tables if name.startswith("catalog_"))
        rows = dict(db.session.execute(text(
            "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity AND EXISTS "
            "(SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) FROM pg_class c "
            "WHERE c.relname LIKE 'catalog\\_%' AND c.relkind = 'r'")).all())
    assert len(tables) == 21
    assert sorted(rows) == tables and all(rows.values())


def test_raw_sql_as_the_runtime_role_stays_in_its_tenant(two_shops, runtime_connection):
    a, ours, b, theirs = two_shops
    conn = runtime_connection

    def as_tenant(tenant_id):
        conn.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(tenant_id),))

    with conn.transaction():
        as_tenant(a.tenant.id)
        for table, key in (("catalog_products", "product"), ("catalog_prices", "price"),
                           ("catalog_coupons", "coupon"), ("catalog_tld_prices", "tld_price")):
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE id = %s", (theirs[key],)).fetchone()[0] == 0
            assert conn.execute(f"UPDATE {table} SET id = id WHERE id = %s", (theirs[key],)).rowcount == 0
        # Links between products and option groups carry their tenant too.
        links = conn.execute("SELECT DISTINCT tenant_id FROM catalog_option_group_products").fetchall()
        assert links == [(a.tenant.id,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        as_tenant(a.tenant.id)
        conn.execute("INSERT INTO catalog_product_groups (tenant_id, name, slug, sort_order, hidden) "
                     "VALUES (%s, 'evil', 'evil', 0, false)", (b.tenant.id,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        conn.execute("INSERT INTO catalog_addon_products (addon_id, product_id) VALUES (%s, %s)",
                     (ours["addon"], ours["other_product"]))  # no tenant in scope: the row has none, refused


def test_a_tenant_without_the_catalogue_has_none(client, factory):
    tenant = factory.tenant(plugins=[])
    api = Api(client, tenant)
    assert api("get", "catalog-products/").status_code == 404
    tenant.web_login(client, tenant.staff("Owner"))
    assert client.get("/catalogproductview/list/", base_url=tenant.host).status_code == 404
