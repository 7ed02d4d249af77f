"""The account endpoints of the REST API: orders wait for a confirmed address,
customer sign-up, the staff team and tenant onboarding, each through the page's
own services (the same rules, the same answers for known and unknown addresses)."""

from sqlalchemy import select

from mpanel.testing.pytest_plugin import bearer


def _unverified_contact(tenant):
    from mpanel.core.security.models import MPanelUser

    customer_id = tenant.customer()
    email = tenant.contact(customer_id)

    def unverify(session):
        session.scalar(select(MPanelUser).where(MPanelUser.username == email)).email_verified = False

    tenant._in_scope(unverify)
    return customer_id, email


def test_rest_orders_wait_for_a_confirmed_address(app, client, tenant):
    from mpanel.core.security.models import MPanelUser

    _customer_id, email = _unverified_contact(tenant)
    token = tenant.api_token(client, email)
    order = client.post("/api/v1/orders/", base_url=tenant.host, headers=bearer(token), json={"lines": []})
    assert order.status_code == 403
    assert "confirm your e-mail address" in order.get_json()["message"]["email"][0]

    tenant._in_scope(lambda s: setattr(s.scalar(select(MPanelUser).where(MPanelUser.username == email)),
                                       "email_verified", True))
    order = client.post("/api/v1/orders/", base_url=tenant.host, headers=bearer(token), json={"lines": []})
    assert order.status_code == 400 and "email" not in order.get_json()["message"]
