"""Customer sign-up: every bad field named and nothing half-created, the same
answer for known and unknown addresses, a single-use verification link
required before ordering, the tenant's open/approval/closed setting, throttling."""

import re
import statistics
import time

from sqlalchemy import func, select

from mpanel.testing.pytest_plugin import csrf_token

GOOD = {"first_name": "Nora", "last_name": "New", "password": "a long enough passphrase", "company": "",
        "vat_id": "", "address1": "Hauptstr. 1", "address2": "", "postcode": "10115", "city": "Berlin",
        "country": "DE", "language": "de", "accept_terms": "y", "accept_privacy": "y"}


def _sign_up(client, tenant, ip="198.51.100.7", **fields):
    env = {"REMOTE_ADDR": ip}
    page = client.get("/signup/", base_url=tenant.host, environ_base=env)
    data = {**GOOD, **fields, "csrf_token": csrf_token(page.get_data(as_text=True))}
    return client.post("/signup/", base_url=tenant.host, environ_base=env, data=data)


def _counts(app, tenant):
    from mpanel.core.security.models import MPanelUser
    from mpanel.extensions import db
    from mpanel.modules.accounts.models import Consent
    from mpanel.modules.customers.models import Customer

    with app.app_context(), tenant.scope():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Customer, MPanelUser, Consent))


def _verify_link(message):
    return re.search(r"https?://\S+/signup/verify/\S+", message.get_body(("plain",)).get_content()).group(0)


def _settings(app, tenant, **values):
    from mpanel.extensions import db
    from mpanel.modules.accounts import settings

    with app.app_context(), tenant.scope():
        settings.save(db.session, values)
        db.session.commit()


def test_sign_up_verify_and_order_gate(app, client, tenant, smtp):
    _settings(app, tenant, terms_version="2026-11", privacy_version="7", terms_text="Be nice.")
    page = client.get("/signup/", base_url=tenant.host).get_data(as_text=True)
    assert "Be nice." in page and '<select class="form-control" id="country"' in page
    response = _sign_up(client, tenant, email="Nora@Example.com", vat_id="DE136695976", company="Nora GmbH")
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    [message] = smtp.to("nora@example.com")
    link = _verify_link(message)

    from mpanel.core.security.models import MPanelUser
    from mpanel.extensions import db
    from mpanel.modules.accounts.models import Consent
    from mpanel.modules.customers.models import Customer

    with app.app_context(), tenant.scope():
        customer = db.session.scalar(select(Customer).where(Customer.email == "nora@example.com"))
        user = db.session.scalar(select(MPanelUser).where(MPanelUser.customer_id == customer.id))
        consents = {c.kind: c.version for c in db.session.scalars(select(Consent))}
        assert (customer.vat_id, customer.language, customer.currency) == ("DE136695976", "de", "EUR")
        assert user.email_verified is False and user.may("billing")
        assert consents == {"terms": "2026-11", "privacy": "7"}

    # Signed in but unverified: pages open, nothing can be posted (no order).
    tenant.web_login(client, "nora@example.com", GOOD["password"])
    dashboard = client.get("/client/", base_url=tenant.host).get_data(as_text=True)
    assert 'id="verify-notice"' in dashboard
    posted = client.post("/client/billing/cart", base_url=tenant.host, data={"csrf_token": csrf_token(dashboard)})
    assert posted.status_code == 302 and posted.headers["Location"] == "/client/"

    form = client.get(link)
    assert form.status_code == 200
    done = client.post(link, data={"csrf_token": csrf_token(form.get_data(as_text=True))})
    assert done.status_code == 302 and done.headers["Location"] == "/client/"
    assert 'id="verify-notice"' not in client.get("/client/", base_url=tenant.host).get_data(as_text=True)
    again = client.post(link, data={"csrf_token": csrf_token(form.get_data(as_text=True))})
    # Nora chose German at sign-up, so the page answers in German.
    assert again.status_code == 400 and "abgelaufen oder wurde bereits verwendet" in again.get_data(as_text=True)


def test_every_bad_field_is_named_and_nothing_is_created(app, client, tenant):
    before = _counts(app, tenant)
    cases = {"password": {"password": "password1"}, "email": {"email": "not-an-address"},
             "vat_id": {"vat_id": "DE123"}, "country": {"country": "XX"}, "language": {"language": "tlh"},
             "accept_terms": {"accept_terms": ""}, "accept_privacy": {"accept_privacy": ""},
             "first_name": {"first_name": ""}}
    for n, (field, bad) in enumerate(cases.items()):
        response = _sign_up(client, tenant, **{"email": f"bad{n}@example.com", **bad})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, field
        group = re.search(rf'<div class="form-group has-error">(?:(?!form-group).)*?(?:id|name)="{field}"', html,
                          re.S)
        assert group, f"{field} not marked"
    assert _counts(app, tenant) == before


def test_known_and_unknown_addresses_get_the_same_answer(app, client, tenant, smtp):
    app.config["SIGNUP_RATE_LIMIT"] = app.config["SIGNUP_ACCOUNT_RATE_LIMIT"] = "1000 per minute"
    try:
        known = tenant.contact(tenant.customer())
        bodies, timings = {}, {"known": [], "unknown": []}
        for n in range(4):
            for kind, email in (("known", known), ("unknown", f"fresh{n}-{tenant.slug}@example.com")):
                start = time.perf_counter()
                response = _sign_up(client, tenant, email=email)
                timings[kind].append(time.perf_counter() - start)
                body = re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))  # CSP nonces vary
                bodies.setdefault(kind, set()).add((response.status_code, body))
        assert len(bodies["known"] | bodies["unknown"]) == 1
        known_median, unknown_median = (statistics.median(timings[k]) for k in ("known", "unknown"))
        assert known_median < 3 * unknown_median and unknown_median < 3 * known_median, timings
        [note, *_] = smtp.to(known)
        assert "exists already" in note.get_body(("plain",)).get_content()
    finally:
        app.config["SIGNUP_RATE_LIMIT"], app.config["SIGNUP_ACCOUNT_RATE_LIMIT"] = "10 per 15 minute", "3 per 15 minute"


def test_closed_and_approval_modes(app, client, tenant, smtp):
    _settings(app, tenant, signup="closed")
    assert client.get("/signup/", base_url=tenant.host).status_code == 403
    assert 'href="/signup/"' not in client.get("/welcome", base_url=tenant.host).get_data(as_text=True)
    _settings(app, tenant, signup="approval")
    assert _sign_up(client, tenant, email="wait@example.com").status_code == 200
    tenant.web_login(client, "wait@example.com", GOOD["password"])
    page = client.get("/client/", base_url=tenant.host)
    assert page.status_code == 403 and 'id="awaiting-approval"' in page.get_data(as_text=True)


def test_sign_up_is_throttled_per_address(client, tenant, smtp):
    statuses = [_sign_up(client, tenant, ip=f"203.0.113.{n}", email="target@example.com").status_code
                for n in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


def test_platform_host_has_no_sign_up(client):
    assert client.get("/signup/", base_url="http://localhost").status_code == 404
