"""Paid registrar actions that fail: credited at once when the error is permanent,
when staff resolve them as failed, never when they wait for a retry."""

import datetime as dt

import pytest
from mpanel_billing import ledger
from mpanel_billing.models import Invoice
from mpanel_billing.orders.checkout import checkout
from mpanel_domains import actions, tasks
from mpanel_domains.billing import credit_failed_action
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.testing import TODAY, D, pay, renewals, year_later
from mpanel_registrar_demo.models import DemoRegistration
from sqlalchemy import select, update

from mpanel.core.errors import FieldError
from mpanel.modules.customers.models import Customer
from mpanel.testing.pytest_plugin import bearer


def _credit_notes(session):
    notes = session.scalars(select(Invoice).where(Invoice.kind == "credit_note").order_by(Invoice.id)).all()
    return [(n.credited_invoice_id, [(line.description, line.unit_price) for line in n.lines], n.total, n.notes)
            for n in notes]


def _action(session, name, kind):
    return session.scalar(select(DomainAction).join(Domain).where(Domain.name == name, DomainAction.action == kind))


def test_a_taken_name_credits_its_own_order_lines_once(two_registrars, server):
    shop = two_registrars
    customer = shop.customer(phone="+49.301234567")
    invoice_id = shop.run(lambda s: checkout(s, s.get(Customer, customer), [
        {"domain": "fine.test"}, {"domain": "racy.example"}]).invoice_id)
    server.seed_domain("racy.example", "rival", "Rival-Auth9")  # free when ordered, taken before it is paid
    pay(shop, invoice_id, "order-1")  # both registrations run; racy.example is taken at the registry

    def check(session):
        taken, fine = _action(session, "racy.example", "register"), _action(session, "fine.test", "register")
        return (fine.status, fine.domain.status, taken.status, taken.resolved_by, taken.domain.status,
                taken.last_error, _credit_notes(session), ledger.credit_balance(session, customer, "EUR"))

    fine, fine_domain, status, resolved_by, domain_status, error, notes, credit = shop.run(check)
    assert (fine, fine_domain) == ("done", "active")
    assert (status, resolved_by, domain_status) == ("resolved", "billing", "cancelled")
    [(credited_invoice, note_lines, total, reason)] = notes
    assert credited_invoice == invoice_id
    assert note_lines == [(".example register, 1 years", D("9.00")), ("ICANN fee", D("0.20"))]
    assert total == credit == D("10.95")  # 9.20 + 19 % VAT, now the customer's credit
    assert "Register of racy.example failed (NameTaken)" in reason and "NameTaken" in error and "credited" in error
    assert shop.load(invoice_id, lambda i: i.status) == "paid"

    def again(session):
        action = _action(session, "racy.example", "register")
        assert credit_failed_action(session, action, "NameTaken") is None  # once per action
        with pytest.raises(FieldError):
            actions.retry(session, action)  # credited: never run again
        return len(_credit_notes(session))

    assert shop.run(again) == 1


def _renewal_that_fails(app, shop, registered):
    """A renewal invoice paid while the sandbox has the name in redemption already:
    the renewal fails with a plain RegistrarError (staff may restore and retry)."""
    domain_id = registered(10)
    with app.app_context():
        tasks.notices_all.call_local()
    [(_kind, _late, invoice_id, _note)] = renewals(shop, domain_id)
    name = shop.run(lambda s: s.get(Domain, domain_id).name)
    shop.run(lambda s: s.execute(update(DemoRegistration).where(DemoRegistration.name == name)
                                 .values(expires_at=TODAY - dt.timedelta(days=40))))
    pay(shop, invoice_id, f"renewal-{domain_id}")
    return domain_id, name, invoice_id


def test_a_failure_staff_may_still_fix_is_not_credited_until_resolved_as_failed(app, shop, registered):
    domain_id, name, invoice_id = _renewal_that_fails(app, shop, registered)
    action = shop.run(lambda s: (lambda a: (a.status, a.last_error))(_action(s, name, "renew")))
    assert action[0] == "failed" and "RegistrarError" in action[1]
    assert shop.run(_credit_notes) == []

    shop.run(lambda s: actions.resolve(s, _action(s, name, "renew"), "staff@example.com", "registry refuses",
                                       failed=True))
    [(credited_invoice, _lines, total, reason)] = shop.run(_credit_notes)
    assert credited_invoice == invoice_id and total == shop.load(invoice_id, lambda i: i.total)
    assert reason.startswith(f"Renew of {name} failed (ResolvedAsFailed)")
    customer = shop.run(lambda s: s.get(Domain, domain_id).customer_id)
    assert shop.run(lambda s: ledger.credit_balance(s, customer, "EUR")) == total
    last_error, resolved_by = shop.run(lambda s: (lambda a: (a.last_error, a.resolved_by))(_action(s, name, "renew")))
    assert "resolved as failed: registry refuses" in last_error and "credited: credit note" in last_error
    assert resolved_by == "staff@example.com"


def test_a_failed_renewal_retried_with_success_is_never_credited(app, shop, registered):
    domain_id, name, _invoice_id = _renewal_that_fails(app, shop, registered)
    shop.run(lambda s: s.execute(update(DemoRegistration).where(DemoRegistration.name == name)
                                 .values(expires_at=TODAY + dt.timedelta(days=10))))  # staff sorted it out
    shop.run(lambda s: actions.retry(s, _action(s, name, "renew")))
    assert shop.run(lambda s: _action(s, name, "renew").status) == "done"
    assert shop.run(_credit_notes) == []
    assert shop.run(lambda s: s.get(Domain, domain_id).expires_at) == year_later(TODAY + dt.timedelta(days=10))


def test_staff_resolve_as_failed_over_rest_credits_and_checks_the_flag(app, client, shop, registered):
    _domain_id, name, invoice_id = _renewal_that_fails(app, shop, registered)
    action_id = shop.run(lambda s: _action(s, name, "renew").id)
    token = shop.tenant.api_token(client, shop.tenant.staff("Owner"))
    url = f"/api/v1/domain-actions/{action_id}/resolve"
    bad = client.post(url, base_url=shop.host, headers=bearer(token), json={"failed": "yes"})
    assert bad.status_code == 400 and "failed" in bad.get_json()["message"]
    assert shop.run(lambda s: _action(s, name, "renew").status) == "failed" and shop.run(_credit_notes) == []
    done = client.post(url, base_url=shop.host, headers=bearer(token), json={"failed": True, "note": "gave up"})
    assert done.status_code == 200 and done.get_json()["result"]["status"] == "resolved"
    [(credited_invoice, _lines, _total, _reason)] = shop.run(_credit_notes)
    assert credited_invoice == invoice_id
