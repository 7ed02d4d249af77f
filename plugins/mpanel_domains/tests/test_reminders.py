"""Expiry reminder mails on a real SMTP server: once per domain, expiry date and
reminder day, in the customer's language and currency, with the renewal, grace
or restore price from the catalogue and the renewal invoice's number."""

import datetime as dt

import pytest
from mpanel_billing.models import Invoice
from mpanel_domains import renewals, tasks
from mpanel_domains.models import Domain
from mpanel_domains.signals import domain_expiring
from mpanel_domains.testing import TODAY
from mpanel_domains.testing import renewals as billed
from sqlalchemy import update

from mpanel.modules.customers.models import Customer


def _mails(smtp, name):
    """(subject, body) of the reminders about ``name`` (not the invoice mails)."""
    return [(m["Subject"], m.get_body(("plain",)).get_content()) for m in smtp.messages
            if name in m["Subject"] and "nvoice" not in m["Subject"]]


def _run(app, shop, today=None):
    """The daily renewals task, as if it ran on ``today``."""
    if today is None:
        with app.app_context():
            tasks.notices_all.call_local()
        return
    shop.run(lambda s: renewals.send_notices({}, today=today))


def _number(shop, domain_id):
    [(_kind, _late, invoice_id, _note)] = billed(shop, domain_id)[-1:]
    return shop.load(invoice_id, lambda i: i.display_number)


def test_reminders_at_30_14_and_7_days_arrive_once_each(app, shop, smtp, registered):
    domain_id = registered(30, name="steps.com")
    expires = TODAY + dt.timedelta(days=30)
    for days in (30, 30, 14, 14, 7, 7):
        _run(app, shop, expires - dt.timedelta(days=days))
    _run(app, shop)  # the task itself, on the real day: nothing new
    mails = _mails(smtp, "steps.com")
    assert len(mails) == 3
    assert {m["To"] for m in smtp.messages if "steps.com" in m["Subject"]} == {
        shop.run(lambda s: s.get(Domain, domain_id).customer.email)}
    subject, body = mails[0]
    assert subject == f"steps.com expires on {expires:%B} {expires.day}, {expires.year}"
    assert "Renewing it for a year costs €15.20 plus tax." in body  # renew 15.00 + ICANN fee 0.20
    number = _number(shop, domain_id)  # the renewal fell due in the same run
    assert f"renewal invoice {number} has been issued" in body
    assert [body.count(number) for _subject, body in mails] == [1, 1, 1]


def test_reminder_without_auto_renew_says_how_to_keep_the_domain(app, shop, smtp, registered):
    registered(14, name="manual.com", auto_renew=False)
    _run(app, shop)
    [(_subject, body)] = _mails(smtp, "manual.com")
    assert "Auto-renew is off" in body and "invoice" in body and "has been issued" not in body


def test_expired_domain_reminder_shows_the_grace_price(app, shop, smtp, registered):
    domain_id = registered(-3, name="late.com")
    with app.app_context():
        tasks.sync_all.call_local()  # the sandbox reports it expired
    _run(app, shop)
    _run(app, shop)
    [(subject, body)] = _mails(smtp, "late.com")
    assert subject == "late.com has expired"
    assert "costs €20.20 plus tax, including the late renewal fee" in body  # 15.00 + 0.20 + grace 5.00
    assert f"pay invoice {_number(shop, domain_id)}" in body


def test_redemption_reminder_shows_the_restore_price(app, shop, smtp, registered):
    domain_id = registered(-40, name="lost.com")
    with app.app_context():
        tasks.sync_all.call_local()  # the sandbox holds it in redemption: a restore is invoiced
    assert shop.run(lambda s: s.get(Domain, domain_id).status) == "redemption"
    _run(app, shop)
    [(subject, body)] = _mails(smtp, "lost.com")
    assert subject == "lost.com can only be restored now"
    assert "costs €95.20 plus tax, including the redemption fee" in body  # 15.00 + 0.20 + redemption 80.00
    [(kind, late, invoice_id, _note)] = billed(shop, domain_id)
    assert (kind, late) == ("restore", "redemption")
    assert f"To restore it, pay invoice {shop.load(invoice_id, lambda i: i.display_number)}" in body


def test_reminder_in_the_customers_language_and_currency_format(app, shop, smtp, registered):
    domain_id = registered(7, name="hallo.com")
    customer_id = shop.run(lambda s: s.get(Domain, domain_id).customer_id)
    shop.run(lambda s: s.execute(update(Customer).where(Customer.id == customer_id).values(language="de")))
    _run(app, shop)
    [(subject, body)] = _mails(smtp, "hallo.com")
    expires = TODAY + dt.timedelta(days=7)
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
              "November", "Dezember"]
    assert f"{expires.day}. {months[expires.month - 1]} {expires.year}" in subject
    assert "15,20\xa0€" in body


@pytest.mark.parametrize("status", ["transferred_away", "cancelled"])
def test_no_reminder_for_domains_that_left(app, shop, smtp, registered, status):
    domain_id = registered(7, name=f"{status.replace('_', '')}.com", status=status)
    _run(app, shop)

    def expiring_anyway(session):  # a reminder sent for it all the same is dropped
        domain = session.get(Domain, domain_id)
        domain_expiring.send(domain, expires_at=domain.expires_at, days=7, kind="expiring_7")

    shop.run(expiring_anyway)
    assert smtp.messages == []


def test_no_reminder_without_an_email_address(app, shop, smtp, registered):
    domain_id = registered(7, name="silent.com", auto_renew=False)
    customer_id = shop.run(lambda s: s.get(Domain, domain_id).customer_id)
    shop.run(lambda s: s.execute(update(Customer).where(Customer.id == customer_id).values(email="")))
    _run(app, shop)
    assert smtp.messages == []
    assert shop.run(lambda s: s.query(Invoice).count()) == 0
