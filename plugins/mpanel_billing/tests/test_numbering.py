"""Numbers: formats, gapless and unique under concurrency, chronological, yearly reset."""

import datetime as dt
import threading

import pytest
from mpanel_billing import invoices
from mpanel_billing.models import Invoice, NumberSeries
from mpanel_billing.numbering import check_format, format_number
from mpanel_billing.testing import D
from sqlalchemy import select

from mpanel.core import outbox
from mpanel.core.errors import FieldError
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db


@pytest.mark.parametrize(("fmt", "expected"), [
    ("INV-{YYYY}-{seq:05}", "INV-2026-00042"),
    ("{YY}{MM}{DD}/{seq}", "260301/42"),
    ("R{seq:03}", "R042"),
])
def test_format_number(fmt, expected):
    assert format_number(check_format(fmt), 42, dt.date(2026, 3, 1)) == expected


@pytest.mark.parametrize(("fmt", "reset", "problem"), [
    ("INV-{seq.__class__}", False, "placeholder"),
    ("INV-{0}", False, "placeholder"),
    ("INV-{YYYY}", False, "exactly one {seq}"),
    ("{seq}-{seq}", False, "exactly one {seq}"),
    ("INV-{seq}", True, "restarts every year"),
    ("", False, "1 to 40"),
])
def test_bad_formats_are_refused(fmt, reset, problem):
    with pytest.raises(ValueError, match=problem):
        check_format(fmt, reset)


def test_drafts_have_no_number_and_numbers_follow_the_series(billing):
    customer = billing.customer()
    draft = billing.invoice(customer, issue=False)
    assert billing.load(draft, lambda i: (i.number, i.proforma_number, i.status)) == (None, None, "draft")
    first = billing.invoice(customer, on=dt.date(2026, 3, 1))
    second = billing.invoice(customer, on=dt.date(2026, 3, 2))
    assert billing.load(first, lambda i: i.number) == "INV-2026-00001"
    assert billing.load(second, lambda i: (i.number, i.number_seq)) == ("INV-2026-00002", 2)


def test_a_rolled_back_issue_gives_its_number_back(app, billing):
    customer = billing.customer()
    drafts = [billing.invoice(customer, issue=False) for _ in range(2)]
    with app.app_context(), tenant_scope(billing.id, session=db.session):
        invoices.issue(db.session, db.session.get(Invoice, drafts[0]), on=dt.date(2026, 5, 1))
        db.session.rollback()
    billing.run(lambda s: invoices.issue(s, s.get(Invoice, drafts[1]), on=dt.date(2026, 5, 1)))
    assert billing.load(drafts[1], lambda i: i.number) == "INV-2026-00001"
    assert billing.load(drafts[0], lambda i: (i.status, i.number)) == ("draft", None)


def test_yearly_reset_and_chronology(billing):
    customer = billing.customer()
    old = billing.invoice(customer, on=dt.date(2025, 12, 31))
    new = billing.invoice(customer, on=dt.date(2026, 1, 1))
    assert billing.load(old, lambda i: i.number) == "INV-2025-00001"
    assert billing.load(new, lambda i: i.number) == "INV-2026-00001"
    with pytest.raises(FieldError, match="chronological"):
        billing.invoice(customer, on=dt.date(2025, 12, 30))


def test_a_custom_format_without_yearly_reset(billing):
    billing.run(lambda s: s.add(NumberSeries(series="invoice", format="A{seq:04}", reset_yearly=False, last_seq=0)))
    customer = billing.customer()
    first = billing.invoice(customer, on=dt.date(2025, 12, 31))
    second = billing.invoice(customer, on=dt.date(2026, 1, 1))
    assert [billing.load(i, lambda x: x.number) for i in (first, second)] == ["A0001", "A0002"]


def test_credit_notes_and_proformas_have_their_own_series(make_billing):
    billing = make_billing(proforma=True)
    customer = billing.customer()
    invoice_id = billing.invoice(customer, on=dt.date(2026, 2, 1))
    assert billing.load(invoice_id, lambda i: (i.number, i.proforma_number)) == (None, "PRO-2026-00001")


def test_200_concurrent_issues_get_numbers_1_to_200(app, billing, monkeypatch):
    monkeypatch.setattr(outbox, "drain", lambda tenant_id: None)  # numbering only: no PDFs, no mail
    customer = billing.customer()
    drafts = billing.run(lambda s: [billing_draft(s, customer) for _ in range(200)])
    start, errors = threading.Barrier(200), []

    def issue_one(invoice_id):
        try:
            with app.app_context(), tenant_scope(billing.id, session=db.session):
                start.wait()
                invoices.issue(db.session, db.session.get(Invoice, invoice_id), on=dt.date(2026, 7, 1))
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=issue_one, args=(i,)) for i in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], {type(e).__name__ + str(e)[:300] for e in errors}
    rows = billing.run(lambda s: s.execute(select(Invoice.number_seq, Invoice.number)
                                           .where(Invoice.id.in_(drafts))).all())
    assert sorted(seq for seq, _ in rows) == list(range(1, 201))
    assert len({number for _, number in rows}) == 200
    assert billing.run(lambda s: s.scalar(select(NumberSeries.last_seq).where(NumberSeries.series == "invoice"))) == 200


def billing_draft(session, customer_id):
    from mpanel.modules.customers.models import Customer

    invoice = invoices.create_draft(session, session.get(Customer, customer_id))
    invoices.add_line(session, invoice, "Hosting", 1, D("5.00"))
    session.flush()
    return invoice.id
