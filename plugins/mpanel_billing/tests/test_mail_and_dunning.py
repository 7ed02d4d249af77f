"""Mails arrive once on a real SMTP server; dunning steps happen once per invoice."""

import datetime as dt
import io

import pytest
from mpanel_billing import dunning, ledger
from mpanel_billing.models import DunningStep, Invoice
from mpanel_billing.signals import invoice_overdue
from mpanel_billing.testing import D
from pypdf import PdfReader
from sqlalchemy import select

from mpanel.core import mail, outbox
from mpanel.core.clock import tenant_today
from mpanel.modules.automation.models import AutomationRun


def drain_again(billing):
    """Run the outbox once more, as a retry or a second worker would."""
    billing.run(lambda s: outbox.process_pending(s))


def test_issued_invoice_mail_with_pdf_arrives_once(billing, smtp):
    email = "buyer@example.com"
    invoice_id = billing.invoice(billing.customer(email=email), [("Webhosting", "1", "20.00")])
    drain_again(billing)
    number = billing.load(invoice_id, lambda i: i.number)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == email and number in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename() == f"{number}.pdf"
    text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert number in text and "23.80" in text
    assert "23.80" in message.get_body(("plain",)).get_content()


def test_payment_receipt_once_even_when_the_payment_is_recorded_twice(billing, smtp):
    invoice_id = billing.invoice(billing.customer(), [("Webhosting", "1", "20.00")])
    for _ in range(2):
        billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), "23.80", "EUR", "stripe", "pi_9"))
    drain_again(billing)
    subjects = [m["Subject"] for m in smtp.messages]
    assert len(subjects) == 2 and sum("Payment received" in s for s in subjects) == 1


def test_no_mail_when_the_tenant_turns_it_off(make_billing, smtp):
    billing = make_billing(send_invoice_mail=False)
    billing.invoice(billing.customer())
    assert smtp.messages == []


def test_mail_templates_run_in_a_sandbox():
    from jinja2.exceptions import SecurityError

    assert mail.render("<p>{{ name }}</p>", {"name": "<script>"}) == "<p>&lt;script&gt;</p>"
    assert mail.render("{{ name }}", {"name": "<b>"}, html=False) == "<b>"
    with pytest.raises(SecurityError):
        mail.render("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})
    with pytest.raises(Exception, match=r"no loader|include"):
        mail.render("{% include '/etc/passwd' %}", {})


DUNNING = {"reminder_days_before": 3, "overdue_days": "1,7,14", "late_fee_type": "fixed",
           "late_fee_amount": "5.00", "late_fee_after_days": 14}


def steps(billing, invoice_id):
    return billing.run(lambda s: sorted(s.scalars(select(DunningStep.step)
                                                  .where(DunningStep.invoice_id == invoice_id))))


def test_dunning_steps_happen_once_each_however_often_it_runs(make_billing, smtp):
    billing = make_billing(**DUNNING)
    overdue = []

    def seen(invoice, days, **kwargs):
        overdue.append((invoice.id, days))

    invoice_overdue.connect(seen)
    try:
        issued = dt.date(2026, 3, 1)
        invoice_id = billing.invoice(billing.customer(), [("Hosting", "1", "100.00")], on=issued)
        due = billing.load(invoice_id, lambda i: i.due_date)
        smtp.messages.clear()
        for day, expected in ((due - dt.timedelta(days=5), []), (due - dt.timedelta(days=2), ["reminder"]),
                              (due + dt.timedelta(days=1), ["overdue_1", "reminder"]),
                              (due + dt.timedelta(days=8), ["overdue_1", "overdue_7", "reminder"])):
            for _ in range(2):
                billing.run(dunning.run, on=day)
            assert steps(billing, invoice_id) == expected, day
        assert billing.load(invoice_id, lambda i: i.status) == "overdue"
        # A late run skips the notices it missed: the latest notice and the fee, once.
        for _ in range(3):
            billing.run(dunning.run, on=due + dt.timedelta(days=30))
    finally:
        invoice_overdue.disconnect(seen)
    assert steps(billing, invoice_id) == ["late_fee", "overdue_1", "overdue_14", "overdue_7", "reminder"]
    assert overdue == [(invoice_id, 1)]
    fees = billing.run(lambda s: [(f.total, f.status) for f in s.scalars(
        select(Invoice).where(Invoice.late_fee_for_id == invoice_id))])
    assert fees == [(D("5.00"), "unpaid")]  # damages: outside the scope of VAT
    drain_again(billing)
    subjects = [m["Subject"] for m in smtp.messages]
    assert sum(s.startswith("Reminder") for s in subjects) == 1
    assert sum(s.startswith("Overdue") for s in subjects) == 3
    assert sum(s.startswith("Late fee") for s in subjects) == 1
    assert sum(s.startswith("Invoice") for s in subjects) == 1, subjects  # the fee invoice itself


def test_paid_invoices_are_not_dunned_and_fee_invoices_get_no_fee(make_billing):
    billing = make_billing(**DUNNING)
    customer = billing.customer()
    paid = billing.invoice(customer, on=dt.date(2026, 3, 1))
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, paid), "11.90", "EUR", "bank", "p"))
    open_ = billing.invoice(customer, on=dt.date(2026, 3, 1))
    billing.run(dunning.run, on=dt.date(2026, 4, 30))
    assert steps(billing, paid) == []
    fee = billing.run(lambda s: s.scalar(select(Invoice.id).where(Invoice.late_fee_for_id == open_)))
    billing.run(dunning.run, on=dt.date(2026, 6, 30))
    assert "late_fee" not in steps(billing, fee) and "overdue_14" in steps(billing, fee)


def test_the_periodic_task_is_locked_recorded_and_idempotent(app, make_billing):
    billing = make_billing(**DUNNING)
    past = billing.run(lambda s: tenant_today(s)) - dt.timedelta(days=20)
    invoice_id = billing.invoice(billing.customer(), on=past)  # due 6 days ago
    with app.app_context():
        for _ in range(2):
            assert dunning.dunning.call_local()["status"] == "ok"
    assert steps(billing, invoice_id) == ["overdue_1"]
    runs = billing.run(lambda s: s.scalars(select(AutomationRun).where(
        AutomationRun.task == "billing.dunning.tenant")).all()[-1].counts)
    assert runs["failures"] == 0
