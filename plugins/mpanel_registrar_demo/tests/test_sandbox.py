"""The sandbox registrar: clearly labelled, never mapped by itself, works offline."""

import pytest
from mpanel_domains import actions, search, service
from mpanel_domains.models import Domain, DomainAction, DomainContact
from mpanel_domains.settings import DEFAULTS
from mpanel_registrar_demo.models import DemoRegistration
from mpanel_registrar_demo.seed import seed_demo
from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.core.plugins.engine import loaded_plugins
from mpanel.core.settings import get_settings, set_settings
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer

CONTACT = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "+49.301234567",
           "address1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"}


@pytest.fixture
def tenant(app, factory):
    with app.app_context():
        if "registrar_demo" not in loaded_plugins():
            pytest.skip("needs the registrar_demo plugin (MPANEL_ENABLED_PLUGINS)")
    return factory.tenant()


def _in(app, tenant, fn):
    with app.app_context(), tenant_scope(tenant.id):
        result = fn(db.session)
        db.session.commit()
        return result


def test_labelled_as_a_sandbox_and_not_mapped_to_any_tld_by_itself(app, tenant):
    with app.app_context():
        plugin = loaded_plugins()["registrar_demo"]
    assert plugin.title == "Demo registrar (sandbox — registers nothing)" and plugin.category == "registrar"
    assert "registrar_demo" not in DEFAULTS["tld_registrars"]
    customer = tenant.customer()

    def attempt(session):
        with pytest.raises(FieldError, match="No domain extensions"):
            search.search(session, "shop")
        with pytest.raises(FieldError) as exc:
            service.prepare_domain(session, session.get(Customer, customer), "shop.com")
        return exc.value.field

    assert _in(app, tenant, attempt) == "tld"


def test_search_and_ordering_work_offline(app, factory, tenant):
    factory.commit(lambda s: set_settings(s, "domains", {"tld_registrars": "com=registrar_demo,net=registrar_demo"}),
                   tenant.id)
    customer = tenant.customer()

    def order(session):
        found = {r.name: r.available for r in search.search(session, "shop.com") if not r.suggestion}
        assert found == {"shop.com": True, "shop.net": True}
        assert [r.available for r in search.search(session, "example")][:2] == [False, False]
        contact = DomainContact(customer_id=customer, registry_handles={}, **CONTACT)
        domain = service.prepare_domain(session, session.get(Customer, customer), "shop.com", contact=contact)
        actions.request_registration(session, domain, 3)
        moved = service.prepare_domain(session, session.get(Customer, customer), "moved.net", transfer=True,
                                       contact=contact)
        actions.request_transfer(session, moved, "bad-code")
        return domain.id, moved.id

    domain_id, moved_id = factory.commit(order, tenant.id)

    def check(session):
        assert session.get(Domain, domain_id).status == "active"
        assert session.scalar(select(DemoRegistration.name)) == "shop.com"
        assert not next(r for r in search.search(session, "shop.com") if r.name == "shop.com").available
        failed = session.scalar(select(DomainAction).where(DomainAction.domain_id == moved_id))
        assert failed.status == "failed" and "InvalidAuthCode" in failed.last_error

    _in(app, tenant, check)


def test_seed_for_make_run_maps_demo_tlds_once_and_is_idempotent(app, factory, tenant):
    customer = tenant.customer()

    def seed(session):
        return seed_demo(session, session.get(Customer, customer), "acme-demo.com").id

    first = factory.commit(seed, tenant.id)
    assert factory.commit(seed, tenant.id) == first

    def check(session):
        assert "com=registrar_demo" in get_settings(session, "domains", DEFAULTS)["tld_registrars"]
        assert session.get(Domain, first).status == "active"

    _in(app, tenant, check)
    other = factory.tenant()
    factory.commit(lambda s: set_settings(s, "domains", {"tld_registrars": "com=registrar_epp"}), other.id)
    other_customer = other.customer()
    # A tenant that mapped .com elsewhere keeps its mapping.
    assert factory.commit(lambda s: seed_demo(s, s.get(Customer, other_customer), "x.com").registrar,
                          other.id) == "registrar_epp"


def test_redemption_needs_a_restore_before_a_renewal(app, tenant):
    import datetime as dt

    from mpanel_domains.registrar import RegistrarError
    from mpanel_registrar_demo.registrar import DemoRegistrar, _add_years

    today = dt.date.today()

    def check(session):
        registrar = DemoRegistrar("registrar_demo", {})
        registrar.register("lapsed.com", 1, [], {})
        row = session.scalar(select(DemoRegistration).where(DemoRegistration.name == "lapsed.com"))
        row.expires_at = today - dt.timedelta(days=20)
        assert registrar.info("lapsed.com").status == "expired"  # in grace: renewable
        row.expires_at = today - dt.timedelta(days=40)
        assert registrar.info("lapsed.com").status == "redemption"
        with pytest.raises(RegistrarError, match="restore"):
            registrar.renew("lapsed.com", row.expires_at, 1)
        restored = registrar.restore("lapsed.com")
        assert (restored.status, restored.expires_at) == ("active", today)
        with pytest.raises(RegistrarError, match="not in redemption"):
            registrar.restore("lapsed.com")
        assert registrar.renew("lapsed.com", today, 1).expires_at == _add_years(today, 1)

    _in(app, tenant, check)
