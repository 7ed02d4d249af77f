"""Admin views, REST and client-area pages: roles, tenants, customers, the auth code."""

import pytest
from mpanel_domains.models import Domain, DomainAction, DomainContact
from sqlalchemy import select

from mpanel.core.audit import AuditLog
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.testing.pytest_plugin import bearer, csrf_token


@pytest.fixture
def world(tenant, factory, make_domain):
    """Tenant A with two customers (one domain each, one failed action), tenant B with one domain."""
    mine, other = tenant.customer(company="Mine GmbH"), tenant.customer(company="Other Ltd")
    a_mine = make_domain(tenant, mine, "münchen.de")
    a_other = make_domain(tenant, other, "other.com")
    a_failed = make_domain(tenant, mine, "example.com")  # reserved in the sandbox: the action fails
    b = factory.tenant()
    from mpanel_domains.testing import TLDS

    from mpanel.core.settings import set_settings

    factory.commit(lambda s: set_settings(s, "domains", {"tld_registrars": TLDS}), b.id)
    b_domain = make_domain(b, b.customer(), "btenant.com")
    return {"a": tenant, "b": b, "mine": mine, "other": other, "a_mine": a_mine, "a_other": a_other,
            "a_failed": a_failed, "b_domain": b_domain}


def _ids(app, tenant, model, **where):
    with app.app_context(), tenant_scope(tenant.id):
        query = select(model.id).where(*(getattr(model, k) == v for k, v in where.items())).order_by(model.id)
        return db.session.scalars(query).all()


def test_rest_lists_and_shows_only_the_tenants_domains_without_secrets(client, world):
    a = world["a"]
    token = a.api_token(client, a.staff("Owner"))
    listed = client.get("/api/v1/domains/", base_url=a.host, headers=bearer(token)).get_json()
    names = {row["display_name"] for row in listed["result"]}
    assert names == {"münchen.de", "other.com", "example.com"}
    shown = client.get(f"/api/v1/domains/{world['a_mine']}", base_url=a.host, headers=bearer(token)).get_json()
    assert shown["result"]["name"] == "xn--mnchen-3ya.de" and shown["result"]["status"] == "active"
    assert set(shown["result"]["contact_ids"]) == {"registrant", "admin", "tech", "billing"}
    assert not {"auth_code", "secret"} & set(shown["result"])
    contacts = client.get("/api/v1/domain-contacts/", base_url=a.host, headers=bearer(token)).get_json()["result"]
    assert contacts and all("•" in row["email_masked"] and "email" not in row for row in contacts)


def test_every_endpoint_answers_404_for_another_tenants_rows(client, app, world):
    a, b = world["a"], world["b"]
    token = b.api_token(client, b.staff("Owner"))
    action = _ids(app, a, DomainAction, domain_id=world["a_mine"])[0]
    contact = _ids(app, a, DomainContact, customer_id=world["mine"])[0]
    for method, url, body in [
        ("get", f"/api/v1/domains/{world['a_mine']}", None),
        ("put", f"/api/v1/domains/{world['a_mine']}", {"auto_renew": False}),
        ("delete", f"/api/v1/domains/{world['a_mine']}", None),
        ("get", f"/api/v1/domain-contacts/{contact}", None),
        ("put", f"/api/v1/domain-contacts/{contact}", {"city": "Evil"}),
        ("delete", f"/api/v1/domain-contacts/{contact}", None),
        ("get", f"/api/v1/domain-actions/{action}", None),
        ("post", f"/api/v1/domain-actions/{action}/retry", None),
        ("post", f"/api/v1/domain-actions/{action}/resolve", {}),
    ]:
        response = getattr(client, method)(url, base_url=b.host, headers=bearer(token), json=body)
        assert response.status_code == 404, (method, url, response.get_json())
    b.web_login(client, b.staff("Owner"))
    for url in (f"/domainview/show/{world['a_mine']}", f"/domainview/edit/{world['a_mine']}",
                f"/domaincontactview/show/{contact}", f"/domainactionview/show/{action}"):
        assert client.get(url, base_url=b.host).status_code == 404, url
    # A customer contact of B cannot reach A's domain through B's client area either.
    client.get("/logout/", base_url=b.host)
    b_customer = _ids(app, b, Domain)[0]
    with app.app_context(), tenant_scope(b.id):
        owner = db.session.get(Domain, b_customer).customer_id
    b.web_login(client, b.contact(owner))
    for url in (f"/client/domains/{world['a_mine']}", f"/client/domains/{world['a_mine']}/contacts/{contact}"):
        assert client.get(url, base_url=b.host).status_code == 404, url


def test_a_customer_sees_only_their_domains(client, app, world):
    a = world["a"]
    a.web_login(client, a.contact(world["mine"]))
    page = client.get("/client/domains/", base_url=a.host).get_data(as_text=True)
    assert "münchen.de" in page and "example.com" in page and "other.com" not in page
    assert client.get(f"/client/domains/{world['a_other']}", base_url=a.host).status_code == 404
    detail = client.get(f"/client/domains/{world['a_mine']}", base_url=a.host)
    assert detail.status_code == 200 and "xn--mnchen-3ya.de" in detail.get_data(as_text=True)
    token = csrf_token(detail.get_data(as_text=True))
    other = f"/client/domains/{world['a_other']}"
    for url, data in ((f"{other}/nameservers", {"nameservers": "ns1.example.net"}), (f"{other}/lock", {"value": "0"}),
                      (f"{other}/auto_renew", {"value": "0"}), (f"{other}/auth-code", {})):
        assert client.post(url, base_url=a.host, data={"csrf_token": token, **data}).status_code == 404, url


def test_auth_code_only_for_the_owner_and_audited(client, app, world):
    a = world["a"]
    a.web_login(client, a.contact(world["other"]))
    page = client.get(f"/client/domains/{world['a_other']}", base_url=a.host).get_data(as_text=True)
    refused = client.post(f"/client/domains/{world['a_mine']}/auth-code", base_url=a.host,
                          data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 404
    client.get("/logout/", base_url=a.host)

    a.web_login(client, a.contact(world["mine"]))
    page = client.get(f"/client/domains/{world['a_mine']}", base_url=a.host).get_data(as_text=True)
    assert 'id="auth-code"' not in page
    assert client.post(f"/client/domains/{world['a_mine']}/auth-code", base_url=a.host).status_code == 400  # no CSRF
    shown = client.post(f"/client/domains/{world['a_mine']}/auth-code", base_url=a.host,
                        data={"csrf_token": csrf_token(page)})
    assert shown.status_code == 200 and 'id="auth-code"' in shown.get_data(as_text=True)
    with app.app_context(), tenant_scope(a.id):
        rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "domain_auth_code_shown")).all()
        assert [(r.object_id, r.actor) for r in rows] == [(str(world["a_mine"]), rows[0].actor)]
        assert rows[0].actor and "@" in rows[0].actor
        domain = db.session.get(Domain, world["a_mine"])
        assert domain.auth_code and domain.secret != domain.auth_code  # kept encrypted
        changes = db.session.scalars(select(AuditLog.summary).where(AuditLog.object_type == "Domain")).all()
        assert not any("secret" in summary or "auth_code" in summary for summary in changes)


def test_client_changes_nameservers_lock_and_auto_renew(client, app, world):
    a = world["a"]
    a.web_login(client, a.contact(world["mine"]))
    url = f"/client/domains/{world['a_mine']}"
    token = csrf_token(client.get(url, base_url=a.host).get_data(as_text=True))
    bad = client.post(f"{url}/nameservers", base_url=a.host, data={"csrf_token": token, "nameservers": "localhost"})
    assert bad.status_code == 400 and "not a host name" in bad.get_data(as_text=True)
    saved = client.post(f"{url}/nameservers", base_url=a.host,
                        data={"csrf_token": token, "nameservers": "ns1.münchen.de\nns2.example.net"})
    assert saved.status_code == 302
    for setting in ("lock", "auto_renew"):
        assert client.post(f"{url}/{setting}", base_url=a.host, data={"csrf_token": token, "value": "0"}
                           ).status_code == 302
    with app.app_context(), tenant_scope(a.id):
        domain = db.session.get(Domain, world["a_mine"])
        assert domain.nameservers == ["ns1.xn--mnchen-3ya.de", "ns2.example.net"]
        assert (domain.registrar_lock, domain.auto_renew) == (False, False)
        done = db.session.scalars(select(DomainAction.action).where(
            DomainAction.domain_id == domain.id, DomainAction.status == "done").order_by(DomainAction.id)).all()
        assert done == ["register", "update_ns", "lock"]


def test_client_edits_a_contact_with_field_errors(client, app, world):
    a = world["a"]
    a.web_login(client, a.contact(world["mine"]))
    contact = _ids(app, a, DomainContact, customer_id=world["mine"])[0]
    url = f"/client/domains/{world['a_mine']}/contacts/{contact}"
    page = client.get(url, base_url=a.host)
    assert page.status_code == 200
    form = {"csrf_token": csrf_token(page.get_data(as_text=True)), "first_name": "Jana", "last_name": "Doe",
            "email": "jana@example.com", "phone": "030 1234", "address1": "Hauptstr. 2", "city": "Berlin",
            "postcode": "10115", "country": "DE"}
    bad = client.post(url, base_url=a.host, data=form)
    assert bad.status_code == 400 and "+49.301234567" in bad.get_data(as_text=True)
    assert client.post(url, base_url=a.host, data={**form, "phone": "+49.30 1234"}).status_code == 302
    with app.app_context(), tenant_scope(a.id):
        assert db.session.get(DomainContact, contact).phone == "+49.301234"
        queued = db.session.scalars(select(DomainAction.action).where(DomainAction.action == "update_contacts"))
        assert list(queued) == ["update_contacts"]


def test_search_page_checks_availability_across_tlds(client, world):
    a = world["a"]
    a.web_login(client, a.contact(world["mine"]))
    page = client.get("/client/domains/search?q=münchen", base_url=a.host).get_data(as_text=True)
    assert "münchen.de" in page and "münchen.com" in page and "getmünchen.de" not in page
    bad = client.get("/client/domains/search?q=ab--cd.com", base_url=a.host)
    assert bad.status_code == 200 and "reserved for IDN" in bad.get_data(as_text=True)
    unknown = client.get("/client/domains/search?q=example.xyz", base_url=a.host).get_data(as_text=True)
    assert ".xyz is not offered" in unknown


def test_rest_validation_names_the_field_and_never_500s(client, world):
    a = world["a"]
    token = a.api_token(client, a.staff("Owner"))
    url = f"/api/v1/domains/{world['a_mine']}"
    for body, field in (({"nameservers": ["localhost"]}, "nameservers"), ({"nameservers": "ns1.x.net"}, "nameservers"),
                        ({"status": "bogus"}, "status"), ({"expires_at": "tomorrow"}, "expires_at")):
        response = client.put(url, base_url=a.host, headers=bearer(token), json=body)
        assert response.status_code == 400 and field in response.get_json()["message"], body
    for body, field in (({"customer_id": 999999, "name": "new.com"}, "customer_id"),
                        ({"customer_id": world["mine"], "name": "bad_name.com"}, "name"),
                        ({"customer_id": world["mine"], "name": "new.xyz"}, "tld"),
                        ({"customer_id": world["mine"], "name": "münchen.de"}, "name")):
        response = client.post("/api/v1/domains/", base_url=a.host, headers=bearer(token), json=body)
        assert response.status_code == 400 and field in response.get_json()["message"], (body, response.get_json())
    created = client.post("/api/v1/domains/", base_url=a.host, headers=bearer(token), json={
        "customer_id": world["mine"], "name": "Imported.COM", "status": "active", "nameservers": ["NS1.Example.net"]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["result"]["name"] == "imported.com"
    edited = client.put(url, base_url=a.host, headers=bearer(token), json={"nameservers": ["ns9.example.net"]})
    assert edited.status_code == 200 and edited.get_json()["result"]["nameservers"] == ["ns9.example.net"]
    contact_errors = client.post("/api/v1/domain-contacts/", base_url=a.host, headers=bearer(token), json={
        "customer_id": world["mine"], "first_name": "A", "last_name": "B", "email": "nope", "phone": "+1.5",
        "address1": "x", "city": "y", "postcode": "z", "country": "DE"})
    assert contact_errors.status_code == 400 and "email" in contact_errors.get_json()["message"]


def test_action_queue_retry_and_resolve_per_role(client, app, world):
    a = world["a"]
    failed = _ids(app, a, DomainAction, domain_id=world["a_failed"])[0]
    done = _ids(app, a, DomainAction, domain_id=world["a_mine"])[0]
    readonly = a.api_token(client, a.staff("Read-only"))
    assert client.get(f"/api/v1/domain-actions/{failed}", base_url=a.host, headers=bearer(readonly)).status_code == 200
    assert client.post(f"/api/v1/domain-actions/{failed}/retry", base_url=a.host,
                       headers=bearer(readonly)).status_code == 403
    support = a.api_token(client, a.staff("Support"))
    assert client.post(f"/api/v1/domain-actions/{failed}/resolve", base_url=a.host, headers=bearer(support),
                       json={}).status_code == 403
    assert client.put(f"/api/v1/domains/{world['a_mine']}", base_url=a.host, headers=bearer(support),
                      json={"auto_renew": False}).status_code == 403
    retried = client.post(f"/api/v1/domain-actions/{failed}/retry", base_url=a.host, headers=bearer(support))
    assert retried.status_code == 200 and retried.get_json()["result"]["status"] == "failed"  # still taken
    refused = client.post(f"/api/v1/domain-actions/{done}/retry", base_url=a.host, headers=bearer(support))
    assert refused.status_code == 400 and "status" in refused.get_json()["message"]
    billing = a.api_token(client, a.staff("Billing"))
    resolved = client.post(f"/api/v1/domain-actions/{failed}/resolve", base_url=a.host, headers=bearer(billing),
                           json={"note": "refunded"})
    assert resolved.status_code == 200 and resolved.get_json()["result"]["status"] == "resolved"
    with app.app_context(), tenant_scope(a.id):
        action = db.session.get(DomainAction, failed)
        assert action.attempts == 2 and action.resolved_by.startswith("billing-")
        assert "resolved: refunded" in action.last_error


def test_admin_pages_per_role(client, app, world):
    a = world["a"]
    a.web_login(client, a.staff("Support"))
    listed = client.get("/domainview/list/", base_url=a.host)
    assert listed.status_code == 200 and "münchen.de" in listed.get_data(as_text=True)
    contacts = client.get("/domaincontactview/list/", base_url=a.host).get_data(as_text=True)
    assert "j•" in contacts and "jane@example.com" not in contacts
    assert client.get(f"/domainview/edit/{world['a_mine']}", base_url=a.host).status_code in (302, 403)
    client.get("/logout/", base_url=a.host)
    a.web_login(client, a.staff("Admin"))
    edit = client.get(f"/domainview/edit/{world['a_mine']}", base_url=a.host)
    assert edit.status_code == 200 and "ns1" not in edit.get_data(as_text=True)
    form = {"csrf_token": csrf_token(edit.get_data(as_text=True)), "status": "active", "expires_at": "",
            "auto_renew": "y", "nameserver_text": "localhost"}
    rejected = client.post(f"/domainview/edit/{world['a_mine']}", base_url=a.host, data=form)
    assert rejected.status_code == 200 and "not a host name" in rejected.get_data(as_text=True)
    saved = client.post(f"/domainview/edit/{world['a_mine']}", base_url=a.host,
                        data={**form, "nameserver_text": "ns1.example.net\nns2.example.net"})
    assert saved.status_code == 302
    with app.app_context(), tenant_scope(a.id):
        domain = db.session.get(Domain, world["a_mine"])
        assert domain.nameservers == ["ns1.example.net", "ns2.example.net"] and domain.registrar_lock is False
        assert db.session.scalars(select(DomainAction.action).where(DomainAction.domain_id == domain.id)
                                  .order_by(DomainAction.id)).all() == ["register", "update_ns", "lock"]


def test_domain_list_has_a_query_budget(client, app, world, make_domain, query_counter):
    a = world["a"]
    token = a.api_token(client, a.staff("Owner"))

    def count():
        with query_counter() as counted:
            assert client.get("/api/v1/domains/", base_url=a.host, headers=bearer(token)).status_code == 200
        return counted[0]

    before = count()
    for i in range(4):
        make_domain(a, world["other"], f"more{i}.com")
    assert count() == before


def test_staff_resolve_failed_actions_from_the_list(client, app, world):
    a = world["a"]
    failed = _ids(app, a, DomainAction, domain_id=world["a_failed"])[0]
    a.web_login(client, a.staff("Billing"))
    page = client.get("/domainactionview/list/", base_url=a.host)
    assert page.status_code == 200 and "NameTaken" in page.get_data(as_text=True)
    done = client.post("/domainactionview/action_post", base_url=a.host, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "action": "resolve", "rowid": [str(failed)]})
    assert done.status_code == 302
    with app.app_context(), tenant_scope(a.id):
        assert db.session.get(DomainAction, failed).status == "resolved"
