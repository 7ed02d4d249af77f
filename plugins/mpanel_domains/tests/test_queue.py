"""The registrar action queue: register, renew, changes, retries and staff resolution."""

import datetime as dt

import pytest
from mpanel_domains import actions
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.registrar import RegistryUnavailable
from mpanel_registrar_demo.models import DemoRegistration
from mpanel_registrar_demo.registrar import DemoRegistrar
from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db


def _rows(app, tenant, fn):
    with app.app_context(), tenant_scope(tenant.id):
        return fn(db.session)


def _actions(session, domain_id):
    return [(a.action, a.status, a.attempts) for a in session.scalars(
        select(DomainAction).where(DomainAction.domain_id == domain_id).order_by(DomainAction.id))]


def test_registration_runs_after_commit_and_updates_the_record(app, tenant, make_domain):
    customer = tenant.customer()
    domain_id = make_domain(tenant, customer, "münchen.de", nameservers=["ns1.example.net"])

    def check(session):
        domain = session.get(Domain, domain_id)
        assert (domain.name, domain.display_name, domain.status) == ("xn--mnchen-3ya.de", "münchen.de", "active")
        assert domain.expires_at == dt.date.today().replace(year=dt.date.today().year + 1)
        assert domain.registrant.registry_handles["registrar_demo"].startswith("DEMO-")
        assert _actions(session, domain_id) == [("register", "done", 1)]
        registry = session.scalar(select(DemoRegistration).where(DemoRegistration.name == "xn--mnchen-3ya.de"))
        assert registry.nameservers == ["ns1.example.net"] and set(registry.contacts) == {
            "registrant", "admin", "tech", "billing"}

    _rows(app, tenant, check)


def test_a_taken_name_fails_without_retries_and_signals(app, tenant, make_domain, received):
    from mpanel_domains.signals import domain_action_finished

    with received(domain_action_finished, tenant.id, lambda a, kw: (a.action, kw["status"], kw["error"])) as seen:
        domain_id = make_domain(tenant, tenant.customer(), "example.com")
    assert seen == [("register", "failed", "NameTaken")]

    def check(session):
        assert _actions(session, domain_id) == [("register", "failed", 1)]
        action = session.scalar(select(DomainAction).where(DomainAction.domain_id == domain_id))
        assert "NameTaken" in action.last_error
        assert session.get(Domain, domain_id).status == "pending_registration"

    _rows(app, tenant, check)


def test_renewals_stack_and_a_reference_makes_a_call_idempotent(app, factory, tenant, make_domain):
    domain_id = make_domain(tenant, tenant.customer(), "renewme.com")

    def renew(session):
        domain = session.get(Domain, domain_id)
        first = actions.request_renewal(session, domain, 2, reference="invoice-1")
        again = actions.request_renewal(session, domain, 2, reference="invoice-1")
        assert first is again
        return domain.expires_at

    expires = factory.commit(renew, tenant.id)

    def check(session):
        domain = session.get(Domain, domain_id)
        assert domain.expires_at == expires.replace(year=expires.year + 2)
        assert _actions(session, domain_id) == [("register", "done", 1), ("renew", "done", 1)]

    _rows(app, tenant, check)
    # Run again (e.g. the outbox delivered twice): the registry is at the target already.
    from mpanel_domains.runner import run_action

    def rerun(session):
        action = session.scalar(select(DomainAction).where(DomainAction.action == "renew"))
        action.status = "queued"
        run_action({"action_id": action.id})
        return session.get(Domain, domain_id).expires_at

    assert factory.commit(rerun, tenant.id) == expires.replace(year=expires.year + 2)


@pytest.mark.parametrize(("call", "field"), [
    (lambda s, d: actions.request_registration(s, d, 11), "years"),
    (lambda s, d: actions.request_renewal(s, d, 0), "years"),
    (lambda s, d: actions.request_registration(s, d, 1), "status"),
    (lambda s, d: actions.request_transfer(s, d, "code", 1), "status"),
])
def test_bad_requests_name_the_field_and_queue_nothing(app, factory, tenant, make_domain, call, field):
    domain_id = make_domain(tenant, tenant.customer(), "fields.com")

    def attempt(session):
        with pytest.raises(FieldError) as exc:
            call(session, session.get(Domain, domain_id))
        assert exc.value.field == field
        return _actions(session, domain_id)

    assert factory.commit(attempt, tenant.id) == [("register", "done", 1)]


def test_changes_on_a_registered_domain_queue_one_update_each(app, factory, tenant, make_domain):
    domain_id = make_domain(tenant, tenant.customer(), "changes.com")

    def change(session):
        domain = session.get(Domain, domain_id)
        domain.nameservers = ["ns1.example.org", "ns2.example.org"]
        domain.registrar_lock = False
        domain.auto_renew = False  # local only
        return [a.action for a in actions.queue_changes(session, domain)]

    assert factory.commit(change, tenant.id) == ["update_ns", "lock"]

    def check(session):
        registry = session.scalar(select(DemoRegistration).where(DemoRegistration.name == "changes.com"))
        assert registry.nameservers == ["ns1.example.org", "ns2.example.org"] and registry.locked is False
        return _actions(session, domain_id)

    assert _rows(app, tenant, check) == [("register", "done", 1), ("update_ns", "done", 1), ("lock", "done", 1)]


def test_unavailable_registry_is_retried_then_staff_retry_and_resolve(app, factory, tenant, make_domain, monkeypatch):
    def down(self, *args, **kwargs):
        raise RegistryUnavailable("registry down")

    monkeypatch.setattr(DemoRegistrar, "register", down)
    monkeypatch.setattr(DemoRegistrar, "info", down)
    domain_id = make_domain(tenant, tenant.customer(), "flaky.com")
    assert _rows(app, tenant, lambda s: _actions(s, domain_id)) == [("register", "queued", 1)]

    from mpanel.core import outbox

    def fail_for_good(session):
        action = session.scalar(select(DomainAction).where(DomainAction.domain_id == domain_id))
        action.attempts = outbox.MAX_ATTEMPTS - 1
        message = session.scalar(select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "domains.action"))
        message.next_attempt_at = dt.datetime.now(dt.UTC)
        session.flush()
        outbox.process_pending(session)

    factory.commit(fail_for_good, tenant.id)
    assert _rows(app, tenant, lambda s: _actions(s, domain_id)) == [("register", "failed", outbox.MAX_ATTEMPTS)]

    monkeypatch.undo()
    factory.commit(lambda s: actions.retry(s, s.scalar(select(DomainAction))), tenant.id)
    assert _rows(app, tenant, lambda s: s.get(Domain, domain_id).status) == "active"
    assert _rows(app, tenant, lambda s: _actions(s, domain_id))[0][1] == "done"

    def resolve_done(session):
        with pytest.raises(FieldError, match="failed or queued"):
            actions.resolve(session, session.scalar(select(DomainAction)), "staff@example.com")

    factory.commit(resolve_done, tenant.id)
