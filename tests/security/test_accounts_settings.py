"""The staff form of a tenant's account settings (sign-up mode, terms and privacy
texts with their versions, writes while logged in as a client): Owners and
Admins only, reached from the staff home; a bad field is named, nothing saved."""

import re

import pytest

from mpanel.testing.pytest_plugin import csrf_token
from mpanel.testing.security import audit_actions

PAGE = "/staff/account-settings/"
GOOD = {"signup": "approval", "terms_text": "Pay on time.", "terms_version": "2026-12",
        "privacy_text": "We keep your address.", "privacy_version": "3", "impersonation_write": "y",
        "brand_name": "", "brand_logo_url": "", "brand_color": "#174a7a", "brand_footer": ""}


def _stored(app, tenant):
    from mpanel.extensions import db
    from mpanel.modules.accounts import settings

    with app.app_context(), tenant.scope():
        return settings.get(db.session)


def _save(client, tenant, data):
    token = csrf_token(client.get(PAGE, base_url=tenant.host).get_data(as_text=True))
    return client.post(PAGE, base_url=tenant.host, data={**data, "csrf_token": token})


@pytest.mark.parametrize("role", ["Owner", "Admin"])
def test_owner_and_admin_save_the_settings_from_the_staff_home(app, client, tenant, role):
    tenant.web_login(client, tenant.staff(role))
    home = client.get("/staff/", base_url=tenant.host).get_data(as_text=True)
    assert f'href="{PAGE}"' in home
    assert _save(client, tenant, GOOD).status_code == 302
    assert _stored(app, tenant) == {**GOOD, "impersonation_write": True}
    assert audit_actions(app, tenant.id, "account_settings_changed") == ["account_settings_changed"]
    page = client.get(PAGE, base_url=tenant.host).get_data(as_text=True)
    assert '<option value="approval" selected>' in page and "Pay on time." in page
    assert re.search(r'id="impersonation_write"[^>]* checked', page)
    client.get("/logout/", base_url=tenant.host)
    signup = client.get("/signup/", base_url=tenant.host).get_data(as_text=True)
    assert "Pay on time." in signup and "We keep your address." in signup
    # Unticked, the box turns writes off again; closed sign-up refuses the page.
    tenant.web_login(client, tenant.staff(role))
    assert _save(client, tenant, {**GOOD, "signup": "closed", "impersonation_write": ""}).status_code == 302
    assert _stored(app, tenant)["impersonation_write"] is False
    client.get("/logout/", base_url=tenant.host)
    assert client.get("/signup/", base_url=tenant.host).status_code == 403


def test_bad_fields_are_named_and_nothing_is_saved(app, client, tenant):
    tenant.web_login(client, tenant.staff("Owner"))
    before = _stored(app, tenant)
    refused = _save(client, tenant, {**GOOD, "signup": "everyone", "terms_version": " ",
                                     "privacy_version": "x" * 21})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    named = re.findall(r'<p data-field="([a-z_]+)"><b>([^<]+)</b>', html)
    assert [field for field, _ in named] == ["signup", "terms_version", "privacy_version"]
    assert [label for _, label in named] == ["Customer sign-up", "Version of the terms",
                                             "Version of the privacy policy"]
    assert 'value="' + "x" * 21 + '"' in html  # what was typed stays on the form
    assert _stored(app, tenant) == before
    no_token = client.post(PAGE, base_url=tenant.host, data=GOOD)
    assert no_token.status_code == 400 and _stored(app, tenant) == before
    assert audit_actions(app, tenant.id, "account_settings_changed") == []


@pytest.mark.parametrize("role", ["Billing", "Support", "Read-only"])
def test_other_staff_and_contacts_cannot_reach_the_settings(app, client, tenant, role):
    tenant.web_login(client, tenant.staff(role))
    assert f'href="{PAGE}"' not in client.get("/staff/", base_url=tenant.host).get_data(as_text=True)
    assert client.get(PAGE, base_url=tenant.host).status_code == 404
    token = csrf_token(client.get("/userinfoeditview/form", base_url=tenant.host).get_data(as_text=True))
    assert client.post(PAGE, base_url=tenant.host, data={**GOOD, "csrf_token": token}).status_code == 404
    client.get("/logout/", base_url=tenant.host)
    tenant.web_login(client, tenant.contact(tenant.customer()))
    assert client.get(PAGE, base_url=tenant.host).status_code == 404
    assert _stored(app, tenant)["signup"] == "open"
