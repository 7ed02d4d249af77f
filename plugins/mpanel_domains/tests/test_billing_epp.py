"""Billing with two registrars picked by the catalogue's TLD list (.test: the
sandbox, .example: the EPP test registry over TLS): search, order, renewal
end to end over EPP, and a registry outage that is retried, not credited."""

import datetime as dt

from mpanel_billing.models import Invoice
from mpanel_billing.orders.checkout import checkout
from mpanel_domains import actions, search, tasks
from mpanel_domains.lookup import tld_mapping
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.testing import TODAY, D, pay, renewals, year_later
from mpanel_registrar_demo.models import DemoRegistration
from sqlalchemy import select, update

from mpanel.core import outbox
from mpanel.modules.customers.models import Customer


def _order(shop, names) -> tuple[int, int]:
    customer = shop.customer(phone="+49.301234567")
    invoice_id = shop.run(lambda s: checkout(s, s.get(Customer, customer),
                                             [{"domain": name} for name in names]).invoice_id)
    return customer, invoice_id


def _domains(session):
    return {d.name: (d.registrar, d.status) for d in session.scalars(select(Domain))}


def test_the_catalogue_picks_the_registrar_for_search_and_order(two_registrars, server):
    shop = two_registrars
    mapping = shop.run(tld_mapping)
    assert (mapping["test"], mapping["example"], mapping["com"]) == ("registrar_demo", "registrar_epp",
                                                                     "registrar_demo")
    server.seed_domain("pick.example", "rival", "Rival-Auth9")
    results = {r.name: r.available for r in shop.run(lambda s: search.search(s, "pick.test"))}
    assert results["pick.test"] is True and results["pick.example"] is False  # the EPP registry knows it
    assert "check" in [verb for _client, verb, _trid in server.commands]

    _customer, invoice_id = _order(shop, ["mine.test", "mine.example"])
    pay(shop, invoice_id, "two-registrars")
    assert shop.run(_domains) == {"mine.test": ("registrar_demo", "active"),
                                  "mine.example": ("registrar_epp", "active")}
    assert server.registry.domains["mine.example"].cl_id == "mpanel"  # registered over EPP
    assert shop.run(lambda s: s.scalar(select(DemoRegistration.name))) == "mine.test"  # and in the sandbox
    assert server.violations == []


def test_renewal_end_to_end_over_epp(app, two_registrars, server):
    shop = two_registrars
    _customer, invoice_id = _order(shop, ["renewing.example"])
    pay(shop, invoice_id, "order-renewing")
    expires = TODAY + dt.timedelta(days=20)
    registry = server.registry.domains["renewing.example"]
    registry.ex_date = registry.ex_date.replace(year=expires.year, month=expires.month, day=expires.day)
    shop.run(lambda s: s.execute(update(Domain).where(Domain.name == "renewing.example").values(expires_at=expires)))
    with app.app_context():
        tasks.notices_all.call_local()  # renewal due: 20 days left, inside the 30 days
    domain_id = shop.run(lambda s: s.scalar(select(Domain.id).where(Domain.name == "renewing.example")))
    [(kind, _late, renewal_invoice, _note)] = renewals(shop, domain_id)
    assert kind == "renew" and shop.load(renewal_invoice, lambda i: i.total) == D("10.95")  # (9 + 0.20) + 19 %
    assert "renew" not in [verb for _client, verb, _trid in server.commands]
    pay(shop, renewal_invoice, "renewal-renewing")
    assert registry.ex_date.date() == year_later(expires)
    assert shop.run(lambda s: s.get(Domain, domain_id).expires_at) == year_later(expires)
    assert "renew" in [verb for _client, verb, _trid in server.commands]
    assert server.violations == []


def test_registry_outage_is_retried_not_credited(two_registrars, server):
    shop = two_registrars
    _customer, invoice_id = _order(shop, ["flaky.example"])
    server.fail_next_command(2400, "Command failed")  # the first command of the registration run
    pay(shop, invoice_id, "order-flaky")

    def action(session):
        return session.scalar(select(DomainAction).where(DomainAction.action == "register"))

    assert shop.run(lambda s: (action(s).status, action(s).attempts)) == ("queued", 1)

    def last_attempt_fails(session):
        action(session).attempts = outbox.MAX_ATTEMPTS - 1
        session.execute(update(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == "domains.action",
                                                           outbox.OutboxMessage.status == "pending")
                        .values(next_attempt_at=dt.datetime.now(dt.UTC)))
        session.commit()
        server.fail_next_command(2400, "Command failed")
        outbox.process_pending(session)

    shop.run(last_attempt_fails)
    assert shop.run(lambda s: (action(s).status, action(s).last_error.split(":")[0])) == (
        "failed", "RegistryUnavailable")
    credit_notes = select(Invoice.id).where(Invoice.kind == "credit_note")
    assert shop.run(lambda s: s.scalars(credit_notes).all()) == []  # staff may still retry

    shop.run(lambda s: actions.retry(s, action(s)))
    assert shop.run(lambda s: (action(s).status, action(s).domain.status)) == ("done", "active")
    assert shop.run(lambda s: s.scalars(credit_notes).all()) == []
    assert shop.load(invoice_id, lambda i: i.status) == "paid"
