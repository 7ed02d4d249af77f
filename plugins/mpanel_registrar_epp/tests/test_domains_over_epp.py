"""The domains plugin driving the EPP registry: queue, bad input, retries and the sync."""

import datetime as dt

import pytest
from mpanel_domains import actions, search, service, sync, tasks
from mpanel_domains.models import Domain, DomainAction, DomainContact
from mpanel_registrar_epp.client import EppClient
from mpanel_registrar_epp.registrar import EppRegistrar
from mpanel_registrar_epp.testing import CONTACT
from sqlalchemy import select

from mpanel.core import outbox
from mpanel.core.errors import FieldError
from mpanel.core.tasks import run_recorded
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer


def _prepare(factory, tenant, customer_id, name, register=True, **options):
    def add(session):
        contact = DomainContact(customer_id=customer_id, registry_handles={}, **CONTACT)
        domain = service.prepare_domain(session, session.get(Customer, customer_id), name, contact=contact,
                                        **options)
        if register:
            actions.request_registration(session, domain, 1)
        return domain.id

    return factory.commit(add, tenant.id)


def _get(app, tenant, fn):
    with app.app_context(), tenant_scope(tenant.id):
        return fn(db.session)


def _actions(session, domain_id):
    return [(a.action, a.status, a.attempts) for a in session.scalars(
        select(DomainAction).where(DomainAction.domain_id == domain_id).order_by(DomainAction.id))]


def test_register_renew_transfer_and_nameservers_through_the_queue(app, factory, tenant, server):
    server.seed_domain("incoming.test", "rival", "rival-Auth9")
    customer = tenant.customer()
    domain_id = _prepare(factory, tenant, customer, "shop.test", nameservers=["ns1.example.net"])
    registry = server.registry.domains["shop.test"]
    assert registry.cl_id == "mpanel" and registry.ns == ["ns1.example.net"]
    assert "clientTransferProhibited" in registry.statuses  # the record's lock, queued after registering
    handle = _get(app, tenant, lambda s: s.get(Domain, domain_id).registrant.registry_handles["registrar_epp"])
    assert registry.registrant == handle and ("tech", handle) in registry.contacts

    def renew_and_change(session):
        domain = session.get(Domain, domain_id)
        assert domain.expires_at == registry.ex_date.date()
        actions.request_renewal(session, domain, 2)
        domain.nameservers = ["ns2.example.net"]
        actions.queue_changes(session, domain)

    factory.commit(renew_and_change, tenant.id)
    assert registry.ns == ["ns2.example.net"]

    transfer_id = _prepare(factory, tenant, customer, "incoming.test", register=False, transfer=True)
    factory.commit(lambda s: actions.request_transfer(s, s.get(Domain, transfer_id), "rival-Auth9"), tenant.id)
    assert server.registry.domains["incoming.test"].cl_id == "mpanel"

    def check(session):
        domain = session.get(Domain, domain_id)
        assert domain.expires_at == registry.ex_date.date() == dt.date.today().replace(year=dt.date.today().year + 3)
        assert _actions(session, domain_id) == [("register", "done", 1), ("lock", "done", 1), ("renew", "done", 1),
                                                ("update_ns", "done", 1)]
        incoming = session.get(Domain, transfer_id)
        assert incoming.status == "active" and incoming.expires_at == server.registry.domains[
            "incoming.test"].ex_date.date()
        assert [a for a, *_ in _actions(session, transfer_id)] == ["transfer", "lock", "update_contacts"]
        assert {status for _a, status, _n in _actions(session, transfer_id)} == {"done"}

    _get(app, tenant, check)
    incoming = _get(app, tenant, lambda s: s.get(Domain, transfer_id).registrant.registry_handles["registrar_epp"])
    assert server.registry.domains["incoming.test"].registrant == incoming  # contacts pushed after the transfer
    assert server.violations == []


@pytest.mark.parametrize(("name", "options", "field"), [
    ("bad_name.test", {}, "name"),
    ("-dash.test", {}, "name"),
    ("ab--cd.test", {}, "name"),
    ("x" * 64 + ".test", {}, "name"),
    ("shop.unknown", {}, "tld"),
    ("shop.test", {"nameservers": ["localhost"]}, "nameservers"),
    ("shop.test", {"nameservers": ["192.0.2.53"]}, "nameservers"),
    ("shop.test", {"transfer": True, "auth_code": "abc\x07def"}, "auth_code"),
])
def test_bad_input_names_the_field_and_sends_nothing(app, factory, tenant, server, name, options, field):
    customer = tenant.customer()
    with pytest.raises(FieldError) as exc:
        _prepare(factory, tenant, customer, name, **options)
    assert exc.value.field == field
    assert server.commands == []


def test_bad_period_and_search_send_nothing(app, factory, tenant, server):
    domain_id = _prepare(factory, tenant, tenant.customer(), "period.test", register=False)
    sent = len(server.commands)
    for years in (0, 11):
        with pytest.raises(FieldError, match="1 to 10"):
            factory.commit(lambda s, y=years: actions.request_registration(s, s.get(Domain, domain_id), y), tenant.id)
    with app.app_context(), tenant_scope(tenant.id):
        for query in ("ab--cd", "shop.unknown", "-x.test"):
            with pytest.raises(FieldError):
                search.search(db.session, query)
        results = search.search(db.session, "münchen")
    assert [(r.display_name, r.available) for r in results if not r.suggestion] == [("münchen.test", True)]
    assert len(server.commands) == sent + 3  # login, check, logout: only the valid search reached the registry
    assert server.violations == []


def test_a_dropped_create_is_recognised_and_a_failure_is_retried_later(app, factory, tenant, server):
    customer = tenant.customer()
    server.drop_next_connection()  # the first command after login (a contact create) runs, then the line drops
    dropped = _prepare(factory, tenant, customer, "dropped.test")
    assert _get(app, tenant, lambda s: _actions(s, dropped))[0] == ("register", "queued", 1)
    assert "RegistryUnavailable" in _get(app, tenant, lambda s: s.scalar(select(DomainAction.last_error)))

    server.fail_next_command(2400)
    flaky = _prepare(factory, tenant, customer, "flaky.test")
    assert _get(app, tenant, lambda s: _actions(s, flaky)) == [("register", "queued", 1)]

    def run_due(session):
        for message in session.scalars(select(outbox.OutboxMessage).where(outbox.OutboxMessage.status == "pending")):
            message.next_attempt_at = dt.datetime.now(dt.UTC)
        session.flush()
        outbox.process_pending(session)

    factory.commit(run_due, tenant.id)
    for domain_id in (dropped, flaky):
        assert _get(app, tenant, lambda s, i=domain_id: (s.get(Domain, i).status, _actions(s, i)[0])) == (
            "active", ("register", "done", 2))
    assert set(server.registry.domains) == {"dropped.test", "flaky.test"}
    assert server.violations == []


def test_a_create_whose_answer_was_lost_is_recognised_on_the_spot(app, factory, tenant, server, monkeypatch):
    register = EppRegistrar.register

    def drop_during_create(self, *args, **kwargs):
        server.drop_next_connection()  # no name servers: the next command is the domain create
        return register(self, *args, **kwargs)

    monkeypatch.setattr(EppRegistrar, "register", drop_during_create)
    domain_id = _prepare(factory, tenant, tenant.customer(), "lost.test")
    assert _get(app, tenant, lambda s: (s.get(Domain, domain_id).status, _actions(s, domain_id)[0])) == (
        "active", ("register", "done", 1))
    assert server.registry.domains["lost.test"].cl_id == "mpanel"
    assert server.violations == []


def test_sync_reads_expiry_rgp_and_transfer_away_from_the_registry(app, factory, tenant, server):
    customer = tenant.customer()
    ids = {name: _prepare(factory, tenant, customer, name) for name in ("later.test", "grace.test", "moved.test")}
    later = server.registry.domains["later.test"]
    later.ex_date = later.ex_date.replace(year=later.ex_date.year + 4)
    server.set_rgp("grace.test", "redemptionPeriod")

    def unlock(session):
        domain = session.get(Domain, ids["moved.test"])
        domain.registrar_lock = False
        actions.queue_changes(session, domain)

    factory.commit(unlock, tenant.id)
    rival = EppClient(server.host, server.port, "rival", server.registrars["rival"],
                      cert_file=str(server.pki.client_cert), key_file=str(server.pki.client_key),
                      ca_file=str(server.pki.ca_cert), timeout=5)
    with rival:
        rival.domain_transfer_request("moved.test", server.registry.domains["moved.test"].auth_info)

    result = run_recorded(tasks.SYNC_TASK, sync.sync_tenant, tenant_id=tenant.id)
    assert result["status"] == "ok"
    assert result["counts"] == {"poll_messages": 1, "transferred_away": 1, "checked": 2, "updated": 2, "failed": 0,
                                "batches": 1}

    def check(session):
        domains = {name: session.get(Domain, domain_id) for name, domain_id in ids.items()}
        assert domains["later.test"].expires_at == later.ex_date.date()
        assert domains["grace.test"].status == "redemption"
        assert domains["moved.test"].status == "transferred_away"

    _get(app, tenant, check)
    assert not server.registry.queues["mpanel"]  # the poll message was acknowledged
    assert server.violations == []
