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


SIGNUP = {"first_name": "Rita", "last_name": "Rest", "password": "a long enough passphrase", "address1": "Ring 1",
          "postcode": "10115", "city": "Berlin", "country": "DE", "language": "de", "terms_version": "1",
          "privacy_version": "1"}


def _signup(client, tenant, ip="198.51.100.9", **fields):
    return client.post("/api/v1/signup/", base_url=tenant.host, environ_base={"REMOTE_ADDR": ip},
                       json={**SIGNUP, **fields})


def _counts(app, tenant):
    from sqlalchemy import func

    from mpanel.core.security.models import MPanelUser
    from mpanel.extensions import db
    from mpanel.modules.accounts.models import Consent
    from mpanel.modules.customers.models import Customer

    with app.app_context(), tenant.scope():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Customer, MPanelUser, Consent))


def _settings(app, tenant, **values):
    from mpanel.extensions import db
    from mpanel.modules.accounts import settings

    with app.app_context(), tenant.scope():
        settings.save(db.session, values)
        db.session.commit()


def test_rest_sign_up_accepts_the_current_versions_and_verifies_by_token(app, client, tenant, smtp):
    from mpanel.core.security.models import MPanelUser
    from mpanel.extensions import db
    from mpanel.modules.accounts.models import Consent

    _settings(app, tenant, terms_version="2026-12", privacy_version="3", terms_text="Be nice.")
    terms = client.get("/api/v1/signup/terms", base_url=tenant.host).get_json()
    assert (terms["signup"], terms["terms_version"], terms["privacy_version"], terms["terms_text"]) == (
        "open", "2026-12", "3", "Be nice.")
    before = _counts(app, tenant)
    stale = _signup(client, tenant, email="rita@example.com")
    assert stale.status_code == 409 and set(stale.get_json()["message"]) == {"terms_version", "privacy_version"}
    bads = (({"vat_id": "DE123"}, "vat_id"), ({"country": "XX"}, "country"), ({"password": "short"}, "password"),
            ({"email": "nobody"}, "email"), ({"language": "tlh"}, "language"), ({"first_name": False}, "first_name"))
    for n, (bad, field) in enumerate(bads):
        response = _signup(client, tenant, **{"email": f"rita{n}@example.com", "terms_version": "2026-12",
                                              "privacy_version": "3", **bad})
        assert response.status_code == 400 and field in response.get_json()["message"], (bad, response.get_json())
    assert _counts(app, tenant) == before  # nothing half-created

    made = _signup(client, tenant, email="Rita@Example.com", terms_version="2026-12", privacy_version="3",
                   vat_id="DE136695976", company="Rita GmbH")
    assert made.status_code == 202, made.get_json()
    [message] = smtp.to("rita@example.com")
    token = message.get_body(("plain",)).get_content().split("/signup/verify/")[1].split()[0]
    with app.app_context(), tenant.scope():
        user = db.session.scalar(select(MPanelUser).where(MPanelUser.username == "rita@example.com"))
        assert user.email_verified is False
        assert {(c.kind, c.version) for c in db.session.scalars(select(Consent))} >= {("terms", "2026-12"),
                                                                                      ("privacy", "3")}
    assert client.post("/api/v1/signup/verify", base_url=tenant.host, json={"token": "nope"}).status_code == 400
    assert client.post("/api/v1/signup/verify", base_url=tenant.host, json={"token": token}).status_code == 200
    reused = client.post("/api/v1/signup/verify", base_url=tenant.host, json={"token": token})
    assert reused.status_code == 400 and "token" in reused.get_json()["message"]
    with app.app_context(), tenant.scope():
        assert db.session.scalar(select(MPanelUser.email_verified).where(MPanelUser.username == "rita@example.com"))
    # The platform host has no customers.
    assert client.post("/api/v1/signup/", base_url="http://localhost", json=SIGNUP).status_code == 404


def test_rest_sign_up_answers_known_and_unknown_addresses_the_same(app, client, tenant, smtp):
    import statistics
    import time

    app.config["SIGNUP_RATE_LIMIT"] = app.config["SIGNUP_ACCOUNT_RATE_LIMIT"] = "1000 per minute"
    try:
        known = tenant.contact(tenant.customer())
        answers, timings = set(), {"known": [], "unknown": []}
        for n in range(4):
            for kind, email in (("known", known), ("unknown", f"fresh{n}-{tenant.slug}@example.com")):
                start = time.perf_counter()
                response = _signup(client, tenant, email=email)
                timings[kind].append(time.perf_counter() - start)
                answers.add((response.status_code, response.get_data(as_text=True)))
        assert len(answers) == 1 and next(iter(answers))[0] == 202
        known_median, unknown_median = (statistics.median(timings[k]) for k in ("known", "unknown"))
        assert known_median < 3 * unknown_median and unknown_median < 3 * known_median, timings
        assert "exists already" in smtp.to(known)[0].get_body(("plain",)).get_content()
    finally:
        app.config["SIGNUP_RATE_LIMIT"], app.config["SIGNUP_ACCOUNT_RATE_LIMIT"] = "10 per 15 minute", "3 per 15 minute"


def test_rest_sign_up_modes_and_throttle(app, client, tenant, smtp):
    _settings(app, tenant, signup="closed")
    closed = _signup(client, tenant, email="closed@example.com")
    assert closed.status_code == 403 and "email" in closed.get_json()["message"]
    _settings(app, tenant, signup="approval")
    assert _signup(client, tenant, email="wait@example.com").status_code == 202
    from mpanel.extensions import db
    from mpanel.modules.customers.models import Customer

    with app.app_context(), tenant.scope():
        assert db.session.scalar(select(Customer.active).where(Customer.email == "wait@example.com")) is False
    _settings(app, tenant, signup="open")
    # Per address across IPs, counted together with the page's form.
    statuses = [_signup(client, tenant, ip=f"203.0.113.{n}", email="target@example.com").status_code
                for n in range(5)]
    assert statuses[:3] == [202, 202, 202] and statuses[3:] == [429, 429]
    # Verifying is not counted against an address.
    for _ in range(4):
        assert client.post("/api/v1/signup/verify", base_url=tenant.host, environ_base={"REMOTE_ADDR": "192.0.2.1"},
                           json={"token": "x"}).status_code == 400


def test_rest_team_follows_the_team_page_rules(app, client, factory, tenant, smtp):
    owner = tenant.staff("Owner")
    admin = tenant.staff("Admin")
    owner_token, admin_token = tenant.api_token(client, owner), tenant.api_token(client, admin)
    support_token = tenant.api_token(client, tenant.staff("Support"))
    team = client.get("/api/v1/team/?sort=email", base_url=tenant.host, headers=bearer(admin_token)).get_json()
    assert team["count"] == 3 and {m["role"] for m in team["result"]} == {"Owner", "Admin", "Support"}
    assert client.get("/api/v1/team/", base_url=tenant.host, headers=bearer(support_token)).status_code == 403
    assert client.get("/api/v1/team/?page_size=0", base_url=tenant.host,
                      headers=bearer(owner_token)).status_code == 400

    # Invitations: only an Owner grants Owner; a known address gets the same answer.
    refused = client.post("/api/v1/team/", base_url=tenant.host, headers=bearer(admin_token),
                          json={"email": "boss@example.com", "role": "Owner"})
    assert refused.status_code == 403 and "role" in refused.get_json()["message"]
    bad = client.post("/api/v1/team/", base_url=tenant.host, headers=bearer(admin_token),
                      json={"email": "x@example.com", "role": "Operator"})
    assert bad.status_code == 400 and "role" in bad.get_json()["message"]
    invited = client.post("/api/v1/team/", base_url=tenant.host, headers=bearer(admin_token),
                          json={"email": "Sam@Example.com", "role": "Billing", "first_name": "Sam"})
    again = client.post("/api/v1/team/", base_url=tenant.host, headers=bearer(admin_token),
                        json={"email": "sam@example.com", "role": "Billing"})
    assert (invited.status_code, invited.get_json()) == (again.status_code, again.get_json()) and \
        invited.status_code == 202
    assert "/invitation/" in smtp.to("sam@example.com")[0].get_body(("plain",)).get_content()
    assert "exists already" in smtp.to("sam@example.com")[1].get_body(("plain",)).get_content()

    members = {m["email"]: m for m in client.get("/api/v1/team/?page_size=100", base_url=tenant.host,
                                                 headers=bearer(owner_token)).get_json()["result"]}
    sam, me = members["sam@example.com"]["id"], members[owner]["id"]
    changed = client.put(f"/api/v1/team/{sam}", base_url=tenant.host, headers=bearer(admin_token),
                         json={"role": "Support"})
    assert changed.status_code == 200 and changed.get_json()["result"]["role"] == "Support"
    assert client.put(f"/api/v1/team/{me}", base_url=tenant.host, headers=bearer(admin_token),
                      json={"active": False}).status_code == 403  # an Admin does not touch an Owner
    last = client.put(f"/api/v1/team/{me}", base_url=tenant.host, headers=bearer(owner_token),
                      json={"role": "Admin"})
    assert last.status_code == 409 and "role" in last.get_json()["message"]
    assert client.put(f"/api/v1/team/{sam}", base_url=tenant.host, headers=bearer(owner_token),
                      json={"active": "no"}).status_code == 400
    off = client.put(f"/api/v1/team/{sam}", base_url=tenant.host, headers=bearer(owner_token), json={"active": False})
    assert off.status_code == 200 and off.get_json()["result"]["active"] is False

    # Another tenant's member is not found; another tenant's Owner sees only their own team.
    elsewhere = factory.tenant()
    stranger = elsewhere.api_token(client, elsewhere.staff("Owner"))
    assert client.put(f"/api/v1/team/{sam}", base_url=elsewhere.host, headers=bearer(stranger),
                      json={"active": True}).status_code == 404
    theirs = client.get("/api/v1/team/", base_url=elsewhere.host, headers=bearer(stranger)).get_json()
    assert theirs["count"] == 1
    # A customer's contact is not staff.
    contact = tenant.api_token(client, tenant.contact(tenant.customer()))
    assert client.get("/api/v1/team/", base_url=tenant.host, headers=bearer(contact)).status_code == 403


def _operator_token(app, client, clock):
    import uuid

    from mpanel.core.security.users import create_user
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db
    from mpanel.testing.pytest_plugin import PASSWORD
    from mpanel.testing.security import code_at, enable_totp

    email = f"op-{uuid.uuid4().hex[:8]}@platform.example"
    with app.app_context(), tenant_scope(None, session=db.session):
        create_user(email, PASSWORD, "Operator")
        db.session.commit()
    secret, _codes = enable_totp(app, None, email)
    clock.advance(seconds=30)
    step = client.post("/api/v1/security/login", base_url="http://localhost",
                       json={"username": email, "password": PASSWORD}).get_json()
    done = client.post("/api/v1/security/login/mfa", base_url="http://localhost",
                       json={"mfa_token": step["mfa_token"], "code": code_at(secret, clock.now)})
    assert done.status_code == 200, done.get_json()
    return done.get_json()["access_token"]


def test_rest_tenant_onboarding_for_the_operator(app, client, tenant, smtp, clock):
    import uuid

    from mpanel.core.plugins.engine import loaded_plugins

    token = _operator_token(app, client, clock)
    slug = f"o{uuid.uuid4().hex[:8]}"
    body = {"slug": slug, "name": "Onboarded Ltd", "country": "AT", "currency": "EUR", "locale": "de",
            "timezone": "Europe/Vienna", "owner_email": "First@Owner.example", "owner_name": "Fiona First"}
    bad = client.post("/api/v1/tenants/", base_url="http://localhost", headers=bearer(token),
                      json={**body, "slug": "Not A Slug", "country": "XX", "currency": "EURO", "timezone": "Mars"})
    assert bad.status_code == 400 and {"slug", "country", "currency", "timezone"} <= set(bad.get_json()["message"])
    made = client.post("/api/v1/tenants/", base_url="http://localhost", headers=bearer(token), json=body)
    assert made.status_code == 201, made.get_json()
    result = made.get_json()["result"]
    assert result["slug"] == slug and result["url"].startswith(f"http://{slug}.")
    with app.app_context():
        assert set(result["plugins"]) == set(loaded_plugins())
    [invitation] = smtp.to("first@owner.example")
    assert "/invitation/" in invitation.get_body(("plain",)).get_content()
    duplicate = client.post("/api/v1/tenants/", base_url="http://localhost", headers=bearer(token), json=body)
    assert duplicate.status_code == 400 and "slug" in duplicate.get_json()["message"]

    # Tenant staff cannot onboard tenants, not even an Owner.
    owner = tenant.api_token(client, tenant.staff("Owner"))
    assert client.post("/api/v1/tenants/", base_url=tenant.host, headers=bearer(owner),
                       json={**body, "slug": f"x{slug}"}).status_code in (403, 404)


def test_rest_plan_changes_wait_for_a_confirmed_address(client, billing):
    from mpanel_billing.testing import make_plans, order

    from mpanel.core.security.models import MPanelUser

    plans = make_plans(billing)
    customer_id, email = _unverified_contact(billing.tenant)
    service = order(billing, customer_id, plans["small"])
    token = billing.tenant.api_token(client, email)
    change = client.post(f"/api/v1/services/{service}/change", base_url=billing.host, headers=bearer(token),
                         json={"product": plans["large"], "cycle": "monthly"})
    assert change.status_code == 403 and "email" in change.get_json()["message"]

    billing.tenant._in_scope(lambda s: setattr(s.scalar(select(MPanelUser).where(MPanelUser.username == email)),
                                               "email_verified", True))
    change = client.post(f"/api/v1/services/{service}/change", base_url=billing.host, headers=bearer(token),
                         json={"product": plans["large"], "cycle": "monthly"})
    # Past the address check; what answers now is the plan change's own rule for this service.
    assert change.status_code != 403 and "email" not in change.get_json().get("message", {}), change.get_json()
