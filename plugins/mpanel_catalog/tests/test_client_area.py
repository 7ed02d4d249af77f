"""The client-area catalogue: pages, live price, client REST API, languages."""

import pytest
from mpanel_catalog.testing import Api


@pytest.fixture
def contact(client, shop):
    """A signed-in contact of a German-speaking customer paying in EUR."""
    customer_id = shop.tenant.customer(language="de")
    email = shop.tenant.contact(customer_id)
    shop.tenant.web_login(client, email)
    shop.ids.customer, shop.email = customer_id, email
    return shop


def get(client, shop, path, **kwargs):
    return client.get(f"/client/catalog{path}", base_url=shop.tenant.host, **kwargs)


def test_the_catalogue_lists_what_may_be_ordered_in_the_customers_language(client, contact):
    page = get(client, contact, "/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Web hosting" in html and "Web Klein" in html and "ab 10,00 €" in html and "VPS" in html
    assert "Old plan" not in html and "Secret plan" not in html  # retired, hidden
    assert "Bestellen" in html  # the plugin's own catalogue, in German
    group = get(client, contact, "/group/web-hosting").get_data(as_text=True)
    assert "Web Klein" in group
    assert get(client, contact, "/group/nope").status_code == 404


def test_the_product_page_offers_cycles_options_and_shows_the_price(client, contact):
    ids = contact.ids
    html = get(client, contact, f"/product/{ids.web}").get_data(as_text=True)
    assert "monatlich: 10,00 €" in html and "jährlich: 100,00 €" in html
    assert f'name="option-{ids.disk}"' in html and f'name="option-{ids.ips}"' in html
    assert f'name="option-{ids.legacy}"' not in html  # hidden option
    assert f'value="{ids.ssl}"' in html and 'id="catalog-total">15,00 €<' in html
    assert "/client/catalog/static/catalog.js" in html and "<script>" not in html
    # Hidden products are reachable by their link; retired ones are gone.
    assert get(client, contact, f"/product/{ids.secret}").status_code == 200
    assert get(client, contact, f"/product/{ids.old}").status_code == 404
    script = get(client, contact, "/static/catalog.js")
    assert script.status_code == 200 and "javascript" in script.content_type


def test_the_live_price(client, contact):
    ids = contact.ids
    query = {"cycle": "monthly", f"option-{ids.disk}": ids.disk_big, f"option-{ids.backups}": "yes",
             f"option-{ids.ips}": "1", "addon": ids.ssl, "quantity": "2"}
    response = get(client, contact, f"/product/{ids.web}/price", query_string=query)
    assert response.status_code == 200
    quote = response.get_json()["result"]
    assert quote["total"] == "53.00" and quote["lines"][0]["description"] == "Web Klein (monatlich)"
    assert quote["total_shown"] == "53,00 €" and quote["lines"][0]["amount_shown"].endswith(" €")
    for bad, field in (({f"option-{ids.legacy}": "yes"}, "options"), ({"addon": ids.loose_addon}, "addons"),
                       ({"coupon": "NOPE"}, "coupon"), ({"cycle": "weekly"}, "cycle"), ({"quantity": "x"}, "quantity")):
        response = get(client, contact, f"/product/{ids.web}/price", query_string={**query, **bad})
        assert response.status_code == 400 and field in response.get_json()["message"], bad
    response = get(client, contact, f"/product/{ids.web}/price", query_string={**query, "coupon": "NOPE"})
    assert response.get_json()["message"] == {"coupon": ["NOPE ist kein gültiger Gutscheincode"]}


def test_visitors_sign_in_first_and_staff_have_no_client_area(client, shop):
    response = get(client, shop, "/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert get(client, shop, f"/product/{shop.ids.web}/price?cycle=monthly").status_code == 302
    shop.tenant.web_login(client, shop.tenant.staff("Owner"))
    assert get(client, shop, "/").status_code == 404


def test_the_client_api(client, contact):
    ids = contact.ids
    api = Api(client, contact.tenant, email=contact.email)
    groups = api("get", "client-catalog/groups").get_json()["result"]
    assert [(p["name"], p["from_price"]) for p in groups[0]["products"]] == [("Web Klein", "10.00"), ("VPS", "20.00")]
    product = api("get", f"client-catalog/products/{ids.web}").get_json()["result"]
    assert [c["cycle"] for c in product["cycles"]] == ["monthly", "annually"]
    assert [o["name"] for o in product["options"]] == ["Disk", "Backups", "Extra IPs"]
    assert product["addons"][0]["cycles"][1] == {"cycle": "annually", "label": "jährlich", "price": "40.00",
                                                 "setup_fee": "2.00"}
    quote = api("post", "client-catalog/quote", json={"product": ids.web, "cycle": "annually",
                                                      "options": {str(ids.disk): ids.disk_big}})
    assert quote.status_code == 200 and quote.get_json()["result"]["total"] == "125.00"
    refused = api("post", "client-catalog/quote", json={"product": ids.old, "cycle": "monthly"})
    assert refused.status_code == 400 and "product" in refused.get_json()["message"]
    assert api("get", f"client-catalog/products/{ids.old}").status_code == 404
    staff = Api(client, contact.tenant, "Owner")
    assert staff("get", "client-catalog/groups").status_code in (401, 403)
