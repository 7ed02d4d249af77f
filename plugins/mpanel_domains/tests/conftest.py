"""The domains tests' fixtures: the plugin's own (mpanel_domains.testing), and those
that drive the registrar plugins (the sandbox's registry rows, the EPP test registry)."""
# ruff: noqa: F811  (fixtures take the imported fixtures as arguments)

import datetime as dt

import pytest
from mpanel_domains.testing import TODAY, D, make_domain, received, shop, tenant  # noqa: F401  (fixtures)
from mpanel_registrar_epp.testing import epp_settings, server  # noqa: F401  (the EPP test registry)
from sqlalchemy import update

from mpanel.core.settings import set_settings


@pytest.fixture
def registered(shop, make_domain):
    """``registered(expires_in_days, **fields)`` -> a registered .com domain of a new
    customer whose expiry (record and sandbox registry) is that many days away."""
    from mpanel_domains.models import Domain
    from mpanel_registrar_demo.models import DemoRegistration

    counter = iter(range(1000))

    def make(days, name=None, **fields):
        customer = shop.customer()
        name = name or f"renew{next(counter)}.com"
        domain_id = make_domain(shop.tenant, customer, name)
        expires = TODAY + dt.timedelta(days=days)

        def move(session):
            session.execute(update(DemoRegistration).where(DemoRegistration.name == name).values(expires_at=expires))
            session.execute(update(Domain).where(Domain.id == domain_id).values(expires_at=expires, **fields))

        shop.run(move)
        return domain_id

    return make


@pytest.fixture
def two_registrars(app, shop, server):
    """The shop, with .test sold through the sandbox and .example through EPP."""
    from mpanel_catalog.models import Tld, TldPrice

    from mpanel.core.plugins.engine import loaded_plugins

    with app.app_context():
        plugin = loaded_plugins().get("registrar_epp")
    if plugin is None:
        pytest.skip("needs the registrar_epp plugin")

    def configure(session):
        set_settings(session, "registrar_epp", epp_settings(server), plugin.secret_settings)
        for name, registrar in (("test", "registrar_demo"), ("example", "registrar_epp")):
            tld = Tld(name=name, kind="gtld", registrar=registrar)
            session.add(tld)
            session.flush()
            session.add_all([TldPrice(tld_id=tld.id, currency="EUR", action=action, years=1, price=D("9.00"))
                             for action in ("register", "transfer", "renew")])

    shop.run(configure)
    return shop
