"""Where people land: customers in the client area, staff on the staff home,
the operator on the operator home; ``next=`` only to paths on this host; the
language menu lists every language and returns to the page it was used on."""

import re

import pytest

from mpanel.testing.pytest_plugin import PASSWORD, csrf_token


def _login(client, base_url, email, next_url=None):
    page = client.get("/login/", base_url=base_url)
    query = {"next": next_url} if next_url is not None else {}
    return client.post("/login/", base_url=base_url, query_string=query,
                       data={"username": email, "password": PASSWORD,
                             "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_customer_lands_in_the_client_area_and_profile_opens(client, tenant):
    email = tenant.contact(tenant.customer(company="Landing Co"))
    response = _login(client, tenant.host, email)
    assert response.status_code == 302 and response.headers["Location"] == "/client/"
    assert client.get("/", base_url=tenant.host).headers["Location"] == "/client/"
    dashboard = client.get("/client/", base_url=tenant.host).get_data(as_text=True)
    profile_url = re.search(r'id="profile-link" href="([^"]+)"', dashboard).group(1)
    profile = client.get(profile_url, base_url=tenant.host)
    assert profile.status_code == 200 and "Landing Co" in profile.get_data(as_text=True)
    assert client.get("/staff/", base_url=tenant.host).status_code == 404


def test_staff_land_on_the_staff_home_with_links_to_their_lists(client, tenant):
    response = _login(client, tenant.host, tenant.staff("Support"))
    assert response.headers["Location"] == "/staff/"
    home = client.get("/staff/", base_url=tenant.host)
    html = home.get_data(as_text=True)
    links = html[html.index('id="home-links"'):]
    assert home.status_code == 200 and 'href="/customerview/list/"' in links
    assert "/tenantview/" not in links and "/securitypolicy" not in links.lower()  # not for Support
    assert client.get("/operator/", base_url=tenant.host).status_code == 404
    assert client.get("/client/", base_url=tenant.host).status_code == 404


@pytest.mark.parametrize("target", ["http://evil.example/x", "//evil.example/x", "/\\evil.example",
                                    "https://localhost/elsewhere", "javascript:alert(1)"])
def test_next_is_honoured_only_for_paths_on_this_host(client, tenant, target):
    email = tenant.staff("Owner")
    response = _login(client, tenant.host, email, next_url=target)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"


def test_next_path_on_this_host_is_honoured(client, tenant):
    response = _login(client, tenant.host, tenant.staff("Owner"), next_url="/customerview/list/?_flt_0_email=x")
    assert response.headers["Location"] == "/customerview/list/?_flt_0_email=x"


def test_language_menu_lists_every_language_and_returns_to_the_page(app, client, tenant):
    email = tenant.contact(tenant.customer())
    _login(client, tenant.host, email)
    html = client.get("/client/profile/", base_url=tenant.host).get_data(as_text=True)
    menu = html[html.index('id="language-menu"'):]
    assert set(re.findall(r'data-lang="(\w+)"', menu)) == set(app.config["LANGUAGES"])
    assert re.search(r'class="active">\s*<a[^>]*data-lang="en"', menu)
    switch = re.search(r'data-lang="de"[^>]*href="([^"]+)"', menu).group(1).replace("&amp;", "&")
    response = client.get(switch, base_url=tenant.host)
    assert response.status_code == 302 and response.headers["Location"] == "/client/profile/"
    german = client.get("/client/profile/", base_url=tenant.host).get_data(as_text=True)
    assert re.search(r'class="active">\s*<a[^>]*data-lang="de"', german[german.index('id="language-menu"'):])
    assert client.get("/language/de?next=//evil.example/", base_url=tenant.host).headers["Location"] == "/client/"
    assert client.get("/language/xx", base_url=tenant.host).status_code == 404


def test_visitor_sees_sign_in_and_sign_up(client, tenant):
    response = client.get("/", base_url=tenant.host)
    assert response.headers["Location"] == "/welcome"
    html = client.get("/welcome", base_url=tenant.host).get_data(as_text=True)
    assert 'href="/login/"' in html and 'href="/signup/"' in html
