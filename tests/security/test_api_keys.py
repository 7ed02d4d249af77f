"""API keys: shown once and stored hashed, the tenant and customer taken from
the key, IP allow-lists, scopes, expiry and immediate revocation."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from mpanel.core.security.hashing import digest
from mpanel.core.security.models import ApiKey
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.testing.pytest_plugin import bearer, csrf_token
from mpanel.testing.security import audit_actions, create_key


def call(client, key, path="/api/v1/customers/", ip="203.0.113.5", method="get", **kwargs):
    return getattr(client, method)(path, base_url="http://localhost", headers=bearer(key),
                                   environ_base={"REMOTE_ADDR": ip}, **kwargs)


def test_key_is_stored_hashed_and_acts_in_its_tenant(app, client, factory):
    tenant, other = factory.tenant(), factory.tenant()
    mine, theirs = tenant.customer(), other.customer()
    email = tenant.staff("Owner")
    key = create_key(client, tenant, email)
    assert key.startswith("mpk_") and len(key) > 40
    with app.app_context(), tenant_scope(tenant.id, session=db.session):
        row = db.session.scalar(select(ApiKey))
        assert row.key_hash == digest(key) and key not in (row.prefix, row.key_hash) and key.startswith(row.prefix)
    # The host does not matter: the tenant comes from the key.
    listing = call(client, key)
    assert listing.status_code == 200
    assert {c["id"] for c in listing.get_json()["result"]} == {mine}
    assert call(client, key, f"/api/v1/customers/{theirs}").status_code == 404
    with app.app_context(), tenant_scope(tenant.id, session=db.session):
        row = db.session.scalar(select(ApiKey))
        assert row.last_used_at is not None and row.last_used_ip == "203.0.113.5"
    assert "api_key_created" in audit_actions(app, tenant.id)


@pytest.mark.parametrize("allowed, inside, outside", [
    ("203.0.113.0/24, 198.51.100.7", ["203.0.113.99", "198.51.100.7", "::ffff:203.0.113.4"], ["198.51.100.8"]),
    ("2001:db8::/32", ["2001:db8:1::5"], ["2001:db9::1", "203.0.113.5"]),
])
def test_ip_allow_list(client, tenant, allowed, inside, outside):
    key = create_key(client, tenant, tenant.staff("Owner"), allowed_ips=allowed)
    for ip in inside:
        assert call(client, key, ip=ip).status_code == 200, ip
    for ip in outside:
        refused = call(client, key, ip=ip)
        assert refused.status_code == 403 and refused.is_json, ip
        assert "address" in refused.get_json()["message"]["request"][0]


def test_scopes_limit_what_a_key_can_do(client, tenant):
    email = tenant.staff("Owner")  # the Owner may do everything with customers
    customer = tenant.customer()
    read_only = create_key(client, tenant, email, scopes=("read",))
    assert call(client, read_only, f"/api/v1/customers/{customer}").status_code == 200
    assert call(client, read_only, f"/api/v1/customers/{customer}", method="put",
                json={"last_name": "Changed"}).status_code == 403
    assert call(client, read_only, f"/api/v1/customers/{customer}", method="delete").status_code == 403

    other_area = create_key(client, tenant, email, scopes=("testplugin",))
    assert call(client, other_area, "/api/v1/customers/").status_code == 403

    writer = create_key(client, tenant, email, scopes=("customers",))
    assert call(client, writer, f"/api/v1/customers/{customer}", method="put",
                json={"last_name": "Changed"}).status_code == 200
    # A scope never adds to what the user's role allows.
    read_only_user = create_key(client, tenant, tenant.staff("Read-only"), scopes=("customers",))
    assert call(client, read_only_user, f"/api/v1/customers/{customer}", method="delete").status_code == 403


def test_revoked_expired_and_unknown_keys_are_refused(app, client, tenant, clock):
    email = tenant.staff("Owner")
    key = create_key(client, tenant, email)
    assert call(client, key).status_code == 200
    tenant.web_login(client, email)
    page = client.get("/security/", base_url=tenant.host).get_data(as_text=True)
    revoke = re.search(r'action="(/security/api-keys/\d+/revoke)"', page).group(1)
    client.post(revoke, base_url=tenant.host, data={"csrf_token": csrf_token(page)})
    client.get("/logout/", base_url=tenant.host)
    assert call(client, key).status_code == 401  # at once
    assert "api_key_revoked" in audit_actions(app, tenant.id)

    expiring = create_key(client, tenant, email, expires_days="1")
    assert call(client, expiring).status_code == 200
    clock.advance(days=1, seconds=1)
    assert call(client, expiring).status_code == 401
    assert call(client, "mpk_" + "x" * 43).status_code == 401


def test_a_contacts_key_sees_only_its_customer(client, tenant):
    mine, other = tenant.customer(), tenant.customer()
    key = create_key(client, tenant, tenant.contact(mine), scopes=("customers",))
    account = call(client, key, "/api/v1/client/account")
    assert account.status_code == 200 and account.get_json()["result"]["id"] == mine
    assert call(client, key, f"/api/v1/customers/{other}").status_code in (403, 404)


def test_a_key_of_a_deactivated_user_is_refused(app, client, tenant):
    from mpanel.core.security.models import MPanelUser

    email = tenant.staff("Owner")
    key = create_key(client, tenant, email)
    with app.app_context(), tenant_scope(tenant.id, session=db.session):
        db.session.scalar(select(MPanelUser).where(MPanelUser.username == email)).active = False
        db.session.commit()
    assert call(client, key).status_code == 401


def test_keys_expire_and_scopes_are_checked_on_creation(app, tenant):
    from mpanel.core.security import api_keys
    from mpanel.core.security.models import MPanelUser

    email = tenant.staff("Owner")
    with app.test_request_context(), tenant_scope(tenant.id, session=db.session):
        user = db.session.scalar(select(MPanelUser).where(MPanelUser.username == email))
        with pytest.raises(ValueError):
            api_keys.create(db.session, user, "x", ["everything"])
        with pytest.raises(ValueError):
            api_keys.parse_networks("10.0.0.0/33")
        key, _ = api_keys.create(db.session, user, "x", ["read"], dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        assert key.expires_at.year == 2030
        db.session.rollback()
