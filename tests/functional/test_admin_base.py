"""The kernel's admin base view, through the customer pages: ISO codes as selects,
a quick search over the list, a redirect back to the record, empty values empty."""

import re

from mpanel.testing.pytest_plugin import csrf_token


def test_customer_pages_on_the_base_view(client, factory):
    tenant = factory.tenant()
    found = tenant.customer(first_name="Quinn", last_name="Findme", email="quinn@example.com")
    tenant.customer(first_name="Other", last_name="Person", email="other@example.com")
    tenant.web_login(client, tenant.staff("Owner"))
    form = client.get("/customerview/add", base_url=tenant.host).get_data(as_text=True)
    for name, option in (("country", "DE"), ("currency", "JPY"), ("language", "fr")):
        assert re.search(rf'<select[^>]*name="{name}"', form) and f'<option value="{option}">' in form, name

    listed = client.get("/customerview/list/?q=findme", base_url=tenant.host).get_data(as_text=True)
    assert "quinn@example.com" in listed and "other@example.com" not in listed
    assert ">None<" not in listed  # the empty company column
    german = client.get("/customerview/list/?_l_=de", base_url=tenant.host).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="q"[^>]*placeholder="Suchen"', german)

    data = {"first_name": "Quinn", "last_name": "Findme", "email": "quinn@example.com", "country": "de",
            "currency": "JPY", "language": "fr", "active": "y", "csrf_token": csrf_token(form)}
    saved = client.post(f"/customerview/edit/{found}", base_url=tenant.host, data=data)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/customerview/show/{found}")
    shown = client.get(saved.headers["Location"], base_url=tenant.host).get_data(as_text=True)
    assert "JPY" in shown and ">DE<" in shown.replace(" ", "").replace("\n", "")
    refused = client.post(f"/customerview/edit/{found}", base_url=tenant.host, data={**data, "currency": "XXY"})
    assert refused.status_code == 200  # not a currency: the form again, nothing saved
