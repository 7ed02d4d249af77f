"""Auto-renewal billing: the renewal invoice (once per domain and expiry date), the
registrar renewal when it is paid, late fees, restore from redemption, and no
renewals for domains that left."""

import datetime as dt
import threading

import pytest
from mpanel_billing.models import Invoice
from mpanel_billing.models.invoice import OPEN
from mpanel_catalog.models import TldPrice
from mpanel_domains import tasks
from mpanel_domains.billing import invoice_renewal
from mpanel_domains.models import Domain, DomainAction, DomainRenewal
from mpanel_domains.sync import set_status
from mpanel_domains.testing import TODAY, D, lines, pay, renewals, year_later
from mpanel_registrar_demo.models import DemoRegistration
from sqlalchemy import func, select, update

from mpanel.testing.pytest_plugin import bearer, csrf_token


def test_renewal_due_invoices_once_and_payment_renews_at_the_registrar(app, shop, registered):
    domain_id = registered(10)
    with app.app_context():
        tasks.notices_all.call_local()
        tasks.notices_all.call_local()  # a second run invoices nothing more
    [(kind, late, invoice_id, note)] = renewals(shop, domain_id)
    assert (kind, late, note) == ("renew", None, None)
    assert shop.load(invoice_id, lambda i: (i.status, i.number is not None)) == ("unpaid", True)
    assert lines(shop, invoice_id) == [(".com renew, 1 years", D("15.00")), ("ICANN fee", D("0.20"))]
    assert shop.run(lambda s: s.scalar(select(func.count(DomainAction.id))
                                       .where(DomainAction.action == "renew"))) == 0  # nothing before payment

    old_expiry = TODAY + dt.timedelta(days=10)
    pay(shop, invoice_id, "renewal-1")
    pay(shop, invoice_id, "renewal-1")  # the same payment again changes nothing

    def check(session):
        domain = session.get(Domain, domain_id)
        renewals = session.scalars(select(DomainAction).where(DomainAction.action == "renew")).all()
        registry = session.scalar(select(DemoRegistration).where(DemoRegistration.name == domain.name))
        return domain.expires_at, registry.expires_at, [(a.status, a.reference) for a in renewals]

    renewal_id = shop.run(lambda s: s.scalar(select(DomainRenewal.id).where(DomainRenewal.domain_id == domain_id)))
    assert shop.run(check) == (year_later(old_expiry), year_later(old_expiry),
                                                  [("done", f"renewal:{renewal_id}")])
    # Renewed: the next renewal falls due only a year later.
    with app.app_context():
        tasks.notices_all.call_local()
    assert len(renewals(shop, domain_id)) == 1


def test_concurrent_renewal_runs_make_one_invoice(app, shop, registered):
    domain_id = registered(10)
    first_in = threading.Event()
    results = []

    def second_run():
        first_in.wait(5)
        results.append(shop.run(lambda s: invoice_renewal(s, s.get(Domain, domain_id)) is not None))

    thread = threading.Thread(target=second_run)
    thread.start()

    def first_run(session):
        made = invoice_renewal(session, session.get(Domain, domain_id))
        first_in.set()
        thread.join(0.5)  # the second run waits on the unique key until this one commits
        assert thread.is_alive()
        return made is not None

    assert shop.run(first_run) is True
    thread.join(5)
    assert results == [False]
    assert shop.run(lambda s: s.scalar(select(func.count(Invoice.id)).where(Invoice.notes.like("Renew of%")))) == 1


@pytest.mark.parametrize("fields", [{"auto_renew": False}, {"status": "transferred_away"}, {"status": "cancelled"},
                                    {"status": "fraud"}])
def test_no_renewal_invoice_for_domains_not_auto_renewing_or_gone(app, shop, registered, fields):
    domain_id = registered(10, **fields)
    with app.app_context():
        tasks.notices_all.call_local()
    made = shop.run(lambda s: invoice_renewal(s, s.get(Domain, domain_id)))
    assert made is None
    assert renewals(shop, domain_id) == []
    assert shop.run(lambda s: s.scalar(select(func.count(Invoice.id)))) == 0


def test_renewal_after_expiry_adds_the_grace_fee(app, shop, registered):
    domain_id = registered(-3)
    with app.app_context():
        tasks.sync_all.call_local()  # the sandbox reports it expired
        tasks.notices_all.call_local()
    [(kind, late, invoice_id, _note)] = renewals(shop, domain_id)
    assert (kind, late) == ("renew", "grace")
    assert lines(shop, invoice_id) == [(".com renew, 1 years", D("15.00")), ("ICANN fee", D("0.20")),
                                        ("Late renewal fee (grace)", D("5.00"))]
    pay(shop, invoice_id, "grace-1")
    expected = year_later(TODAY - dt.timedelta(days=3))
    assert shop.run(lambda s: (s.get(Domain, domain_id).status, s.get(Domain, domain_id).expires_at)) == (
        "active", expected)


def test_a_renewal_still_unpaid_at_expiry_is_billed_again_with_the_grace_fee(app, shop, registered):
    domain_id = registered(10)
    with app.app_context():
        tasks.notices_all.call_local()
    [(_kind, late, first_invoice, _note)] = renewals(shop, domain_id)
    assert late is None
    name = shop.run(lambda s: s.get(Domain, domain_id).name)
    shop.run(lambda s: s.execute(update(DemoRegistration).where(DemoRegistration.name == name)
                                 .values(expires_at=TODAY - dt.timedelta(days=3))))
    with app.app_context():
        tasks.sync_all.call_local()  # the sandbox reports it expired, unpaid
        tasks.sync_all.call_local()
    assert shop.load(first_invoice, lambda i: i.status) == "cancelled"
    [_first, (kind, late, invoice_id, _note)] = renewals(shop, domain_id)
    assert (kind, late) == ("renew", "grace")
    assert lines(shop, invoice_id)[-1] == ("Late renewal fee (grace)", D("5.00"))
    pay(shop, invoice_id, "late-1")
    assert shop.run(lambda s: s.get(Domain, domain_id).expires_at) == year_later(TODAY - dt.timedelta(days=3))


def test_redemption_cancels_the_renewal_invoice_and_bills_a_restore(app, shop, registered):
    domain_id = registered(10)
    with app.app_context():
        tasks.notices_all.call_local()
    [(_kind, _late, renewal_invoice, _note)] = renewals(shop, domain_id)
    # Unpaid, the name runs into the sandbox's redemption period (30 days after expiry).
    name = shop.run(lambda s: s.get(Domain, domain_id).name)
    shop.run(lambda s: s.execute(update(DemoRegistration).where(DemoRegistration.name == name)
                                 .values(expires_at=TODAY - dt.timedelta(days=40))))
    with app.app_context():
        tasks.sync_all.call_local()
    assert shop.run(lambda s: s.get(Domain, domain_id).status) == "redemption"
    assert shop.load(renewal_invoice, lambda i: i.status) == "cancelled"
    [_renew, (kind, late, restore_invoice, _note)] = renewals(shop, domain_id)
    assert (kind, late) == ("restore", "redemption")
    assert lines(shop, restore_invoice) == [(".com renew, 1 years", D("15.00")), ("ICANN fee", D("0.20")),
                                             ("Late renewal fee (redemption)", D("80.00"))]
    pay(shop, restore_invoice, "restore-1")

    def check(session):
        domain = session.get(Domain, domain_id)
        action = session.scalar(select(DomainAction).where(DomainAction.action == "restore"))
        return domain.status, domain.expires_at, action.status

    # Restored (the sandbox lets it run until today), then renewed a year.
    assert shop.run(check) == ("active", year_later(TODAY), "done")


def test_transferred_away_cancels_the_open_renewal_invoice_and_stops_renewing(app, shop, registered):
    domain_id = registered(10)
    with app.app_context():
        tasks.notices_all.call_local()
    [(_kind, _late, invoice_id, _note)] = renewals(shop, domain_id)
    shop.run(lambda s: set_status(s.get(Domain, domain_id), "transferred_away"))  # what the sync does
    assert shop.load(invoice_id, lambda i: (i.status, i.amount_due)) == ("cancelled", D("0.00"))
    note = shop.run(lambda s: s.scalar(select(DomainRenewal.note).where(DomainRenewal.domain_id == domain_id)))
    assert "transferred away" in note
    shop.run(lambda s: s.execute(update(Domain).where(Domain.id == domain_id)
                                 .values(expires_at=TODAY + dt.timedelta(days=5))))  # a new expiry: no new bill
    with app.app_context():
        tasks.notices_all.call_local()
    assert len(renewals(shop, domain_id)) == 1
    assert shop.run(lambda s: s.scalar(select(func.count(DomainAction.id)).where(DomainAction.action == "renew"))) == 0


def test_a_renewal_without_a_renew_price_is_noted_not_invoiced(app, client, shop, registered):
    domain_id = registered(10)
    shop.run(lambda s: s.execute(TldPrice.__table__.delete().where(TldPrice.action == "renew")))
    with app.app_context():
        tasks.notices_all.call_local()
    [(_kind, _late, invoice_id, note)] = renewals(shop, domain_id)
    assert invoice_id is None and note.startswith("not invoiced:") and "renew" in note
    assert shop.run(lambda s: s.scalar(select(func.count(Invoice.id)))) == 0
    shop.tenant.web_login(client, shop.tenant.staff("Billing"))
    page = client.get("/domainrenewalview/list/", base_url=shop.host)
    assert page.status_code == 200 and "not invoiced" in page.get_data(as_text=True)


def _open_renewal_invoices(shop, domain_id):
    def read(session):
        ids = session.scalars(select(DomainRenewal.invoice_id).where(DomainRenewal.domain_id == domain_id)).all()
        return sorted(session.scalars(select(Invoice.id).where(Invoice.id.in_(ids), Invoice.status.in_(OPEN))))

    return shop.run(read)


def _client_toggle(client, shop, domain_id, value):
    page = client.get(f"/client/domains/{domain_id}", base_url=shop.host).get_data(as_text=True)
    response = client.post(f"/client/domains/{domain_id}/auto_renew", base_url=shop.host,
                           data={"csrf_token": csrf_token(page), "value": value})
    assert response.status_code == 302


def test_auto_renew_off_in_the_client_area_cancels_the_open_renewal_and_on_again_bills_anew(app, client, shop,
                                                                                            registered):
    domain_id = registered(10)
    with app.app_context():
        tasks.notices_all.call_local()
    [first] = _open_renewal_invoices(shop, domain_id)
    customer = shop.run(lambda s: s.get(Domain, domain_id).customer_id)
    shop.tenant.web_login(client, shop.tenant.contact(customer))

    _client_toggle(client, shop, domain_id, "0")
    assert shop.load(first, lambda i: (i.status, i.amount_due)) == ("cancelled", D("0.00"))
    assert _open_renewal_invoices(shop, domain_id) == []
    with app.app_context():
        tasks.notices_all.call_local()  # off: nothing billed
    assert _open_renewal_invoices(shop, domain_id) == []

    _client_toggle(client, shop, domain_id, "1")
    with app.app_context():
        tasks.notices_all.call_local()
        tasks.notices_all.call_local()
    [second] = _open_renewal_invoices(shop, domain_id)  # exactly one open renewal invoice again
    assert second != first
    assert [(kind, invoice, note is not None) for kind, _late, invoice, note in renewals(shop, domain_id)] == [
        ("renew", first, True), ("renew", second, False)]
    pay(shop, second, "renewal-again")
    expected = year_later(TODAY + dt.timedelta(days=10))
    assert shop.run(lambda s: s.get(Domain, domain_id).expires_at) == expected


def test_auto_renew_off_over_rest_cancels_the_open_renewal_invoice(app, client, shop, registered):
    domain_id = registered(10)
    other_id = registered(12)  # another domain's renewal stays
    with app.app_context():
        tasks.notices_all.call_local()
    [invoice_id] = _open_renewal_invoices(shop, domain_id)
    token = shop.tenant.api_token(client, shop.tenant.staff("Owner"))
    unchanged = client.put(f"/api/v1/domains/{domain_id}", base_url=shop.host, headers=bearer(token),
                           json={"auto_renew": True})
    assert unchanged.status_code == 200 and _open_renewal_invoices(shop, domain_id) == [invoice_id]
    response = client.put(f"/api/v1/domains/{domain_id}", base_url=shop.host, headers=bearer(token),
                          json={"auto_renew": False})
    assert response.status_code == 200, response.get_json()
    assert shop.load(invoice_id, lambda i: i.status) == "cancelled"
    note = shop.run(lambda s: s.scalar(select(DomainRenewal.note).where(DomainRenewal.domain_id == domain_id)))
    assert "auto-renew" in note and "turned off" in note
    assert len(_open_renewal_invoices(shop, other_id)) == 1


def test_auto_renew_off_in_the_staff_form_cancels_the_open_renewal_invoice(app, client, shop, registered):
    domain_id = registered(10)
    with app.app_context():
        tasks.notices_all.call_local()
    [invoice_id] = _open_renewal_invoices(shop, domain_id)
    shop.tenant.web_login(client, shop.tenant.staff("Billing"))
    edit = client.get(f"/domainview/edit/{domain_id}", base_url=shop.host).get_data(as_text=True)
    expires = (TODAY + dt.timedelta(days=10)).isoformat()
    saved = client.post(f"/domainview/edit/{domain_id}", base_url=shop.host, data={  # auto-renew unticked
        "csrf_token": csrf_token(edit), "status": "active", "expires_at": expires, "nameserver_text": ""})
    assert saved.status_code == 302
    assert shop.run(lambda s: s.get(Domain, domain_id).auto_renew) is False
    assert shop.load(invoice_id, lambda i: i.status) == "cancelled"
