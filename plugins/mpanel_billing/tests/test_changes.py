"""Plan changes (prorated by days now, or at the end of the period), cancellations and
free trials, through the services; the amounts are worked out here from the days."""

import datetime as dt
from decimal import ROUND_DOWN

import pytest
from mpanel_billing import ledger, run
from mpanel_billing.models import Invoice, Service, ServicePeriod
from mpanel_billing.services import changes
from mpanel_billing.testing import DAY, VAT, D, cents, make_plans, order
from sqlalchemy import func, select

from mpanel.core.errors import FieldError

CHANGE = dt.date(2025, 3, 15)
def service(billing, service_id) -> dict:
    return billing.run(lambda s: s.get(Service, service_id).__dict__.copy())


def change(billing, service_id, product, cycle="monthly", on=CHANGE):
    def do(session):
        result = changes.change_product(session, session.get(Service, service_id), product, cycle, on=on)
        return {"mode": result.quote.mode, "credit": result.quote.credit, "charge": result.quote.charge,
                "note": (sum(note.total for note in result.credit_notes), result.credit_notes[0].lines[0].quantity)
                if result.credit_notes else None,
                "invoice": result.invoice and (result.invoice.total, result.invoice.lines[0].period_start,
                                               result.invoice.lines[0].period_end)}

    return billing.run(do)


def bill(billing, on):
    return billing.run(lambda s: run.run(s, on=on))


def invoice_count(billing) -> int:
    return billing.run(lambda s: s.scalar(select(func.count(Invoice.id))))


def days_left(on=CHANGE, start=DAY, end=dt.date(2025, 3, 31)) -> tuple[int, int]:
    return (end - on).days + 1, (end - start).days + 1


@pytest.fixture
def plans(billing):
    billing.plans = make_plans(billing)
    billing.customer_id = billing.customer()
    return billing


def test_upgrade_mid_period_credits_the_unused_days_and_charges_the_new_price(plans):
    service_id = order(plans, plans.customer_id, plans.plans["small"])
    left, total = days_left()  # 17 of 31 days
    unused = (D(left) / total).quantize(D("0.0001"), ROUND_DOWN)
    credit_net, charge_net = cents(D("10.00") * unused), cents(D("31.00") * left / total)
    assert (credit_net, charge_net) == (D("5.48"), D("17.00"))
    preview = plans.run(lambda s: changes.quote_change(s, s.get(Service, service_id), plans.plans["large"],
                                                       "monthly", on=CHANGE))
    assert (preview.mode, preview.credit, preview.charge) == ("immediate", credit_net, charge_net)
    assert invoice_count(plans) == 1  # a quote writes nothing
    done = change(plans, service_id, plans.plans["large"])
    assert (done["credit"], done["charge"]) == (credit_net, charge_net)
    assert done["note"] == (cents(credit_net * VAT), unused)
    assert done["invoice"] == (cents(charge_net * VAT), CHANGE, dt.date(2025, 3, 31))
    after = service(plans, service_id)
    assert (after["product_id"], after["recurring_amount"], after["next_due_date"]) == (
        plans.plans["large"], D("31.00"), dt.date(2025, 4, 1))
    # The next renewal bills the new price for a whole month, once.
    assert bill(plans, dt.date(2025, 3, 25))["invoices"] == 1
    assert bill(plans, dt.date(2025, 3, 26))["invoices"] == 0
    renewal = plans.run(lambda s: s.scalars(select(Invoice).order_by(Invoice.id.desc())).first().lines[0].__dict__
                        .copy())
    assert (renewal["unit_price"], renewal["period_start"], renewal["period_end"]) == (
        D("31.00"), dt.date(2025, 4, 1), dt.date(2025, 4, 30))


def test_downgrade_leaves_the_customer_credit(plans):
    service_id = order(plans, plans.customer_id, plans.plans["large"])
    left, total = days_left()
    unused = (D(left) / total).quantize(D("0.0001"), ROUND_DOWN)
    credit_net, charge_net = cents(D("31.00") * unused), cents(D("10.00") * left / total)
    done = change(plans, service_id, plans.plans["small"])
    assert done["note"][0] == cents(credit_net * VAT)
    assert done["invoice"][0] == cents(charge_net * VAT)
    # The first invoice was paid: the credit note becomes credit, and pays the charge at once.
    balance = plans.run(lambda s: ledger.credit_balance(s, plans.customer_id, "EUR"))
    assert balance == cents(credit_net * VAT) - cents(charge_net * VAT) > 0
    assert plans.run(lambda s: s.scalars(select(Invoice.status).order_by(Invoice.id.desc())).first()) == "paid"
    assert service(plans, service_id)["recurring_amount"] == D("10.00")


def test_a_cycle_change_starts_a_new_period_of_the_new_cycle(plans):
    service_id = order(plans, plans.customer_id, plans.plans["small"])
    left, total = days_left()
    unused = (D(left) / total).quantize(D("0.0001"), ROUND_DOWN)
    done = change(plans, service_id, plans.plans["small"], "annually")
    assert done["note"][0] == cents(cents(D("10.00") * unused) * VAT)
    assert done["invoice"] == (cents(D("100.00") * VAT), CHANGE, dt.date(2026, 3, 14))  # no setup fee again
    after = service(plans, service_id)
    assert (after["cycle"], after["anchor_date"], after["next_due_date"]) == ("annually", CHANGE,
                                                                             dt.date(2026, 3, 15))
    assert bill(plans, dt.date(2025, 4, 1))["invoices"] == 0


def test_two_changes_in_one_period_credit_what_the_first_charged(plans):
    service_id = order(plans, plans.customer_id, plans.plans["small"])
    change(plans, service_id, plans.plans["large"])
    later = dt.date(2025, 3, 20)
    left, total = days_left(later, CHANGE)  # the part charged at the first change: 15..31 March
    again = change(plans, service_id, plans.plans["small"], on=later)
    unused = (D(left) / total).quantize(D("0.0001"), ROUND_DOWN)
    assert again["credit"] == cents(D("17.00") * unused)
    assert again["charge"] == cents(D("10.00") * left / total)


def test_period_end_mode_applies_the_change_at_the_next_renewal(plans):
    plans.configure(change_proration="period_end")
    service_id = order(plans, plans.customer_id, plans.plans["small"])
    done = change(plans, service_id, plans.plans["large"])
    assert (done["mode"], done["note"], done["invoice"]) == ("period_end", None, None)
    pending = service(plans, service_id)
    assert pending["product_id"] == plans.plans["small"] and pending["pending_change"]["recurring_amount"] == "31.00"
    assert invoice_count(plans) == 1
    assert bill(plans, dt.date(2025, 3, 25))["invoices"] == 1
    line = plans.run(lambda s: s.scalars(select(Invoice).order_by(Invoice.id.desc())).first().lines[0].__dict__
                     .copy())
    assert (line["unit_price"], line["period_start"], line["period_end"]) == (
        D("31.00"), dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    after = service(plans, service_id)
    assert (after["product_id"], after["pending_change"], after["next_due_date"]) == (
        plans.plans["large"], None, dt.date(2025, 5, 1))


@pytest.mark.parametrize(("product", "cycle", "field"), [
    (999999, "monthly", "product"), ("large", "weekly", "cycle"), ("large", "annually", "cycle"),
    ("small", "monthly", "product")])
def test_bad_changes_name_the_field_and_write_nothing(plans, product, cycle, field):
    service_id = order(plans, plans.customer_id, plans.plans["small"])
    before = service(plans, service_id)
    with pytest.raises(FieldError) as refused:
        change(plans, service_id, plans.plans.get(product, product), cycle)
    assert refused.value.field == field
    assert invoice_count(plans) == 1 and service(plans, service_id)["product_id"] == before["product_id"]


def test_only_an_active_service_changes_its_plan(plans):
    service_id = order(plans, plans.customer_id, plans.plans["small"], pay=False)  # pending
    with pytest.raises(FieldError) as refused:
        change(plans, service_id, plans.plans["large"])
    assert refused.value.field == "status"


def test_cancellation_now_or_at_the_end_of_the_period(plans):
    now_id = order(plans, plans.customer_id, plans.plans["small"])
    later_id = order(plans, plans.customer_id, plans.plans["small"])
    plans.run(lambda s: changes.request_cancellation(s, s.get(Service, now_id), "now"))
    plans.run(lambda s: changes.request_cancellation(s, s.get(Service, now_id), "now"))  # repeated: nothing
    assert service(plans, now_id)["status"] == "cancelled"
    plans.run(lambda s: changes.request_cancellation(s, s.get(Service, later_id), "period_end"))
    later = service(plans, later_id)
    assert (later["status"], later["cancel_at"]) == ("active", dt.date(2025, 4, 1))
    with pytest.raises(FieldError) as refused:  # no plan change for a service on its way out
        change(plans, later_id, plans.plans["large"])
    assert refused.value.field == "status"
    before = invoice_count(plans)
    counts = bill(plans, dt.date(2025, 3, 31))
    assert counts["invoices"] == 0 and service(plans, later_id)["status"] == "active"  # the paid month runs on
    counts = bill(plans, dt.date(2025, 4, 1))
    assert counts["invoices"] == 0 and counts["cancelled"] == 1
    assert service(plans, later_id)["status"] == "cancelled" and invoice_count(plans) == before
    with pytest.raises(FieldError) as refused:
        plans.run(lambda s: changes.request_cancellation(s, s.get(Service, later_id), "tomorrow"))
    assert refused.value.field == "when"


def test_a_free_trial_is_not_charged_until_it_ends_then_invoiced(plans):
    plans.configure(renewal_lead_days=3)
    service_id = order(plans, plans.customer_id, plans.plans["trial"])
    trial = service(plans, service_id)
    trial_end = DAY + dt.timedelta(days=14)
    assert (trial["status"], trial["next_due_date"], invoice_count(plans)) == ("active", trial_end, 0)
    assert bill(plans, trial_end - dt.timedelta(days=4))["invoices"] == 0
    assert bill(plans, trial_end - dt.timedelta(days=3))["invoices"] == 1
    first = plans.run(lambda s: s.scalars(select(Invoice)).one().__dict__.copy())
    assert (first["total"], first["due_date"]) == (cents(D("8.00") * VAT), trial_end)
    period = plans.run(lambda s: s.scalars(select(ServicePeriod)).one().__dict__.copy())
    assert (period["period_start"], period["period_end"]) == (trial_end, dt.date(2025, 4, 14))


def test_a_change_during_the_trial_is_billed_from_its_end(plans):
    plans.configure(renewal_lead_days=0)
    service_id = order(plans, plans.customer_id, plans.plans["trial"])
    done = change(plans, service_id, plans.plans["large"], on=DAY + dt.timedelta(days=3))
    assert (done["mode"], done["note"], done["invoice"]) == ("trial", None, None)
    trial_end = DAY + dt.timedelta(days=14)
    assert bill(plans, trial_end)["invoices"] == 1
    first = plans.run(lambda s: s.scalars(select(Invoice)).one().lines[0].__dict__.copy())
    assert (first["unit_price"], first["period_start"]) == (D("31.00"), trial_end)


def test_a_trial_cancelled_for_its_end_is_never_charged(plans):
    plans.configure(renewal_lead_days=14)
    service_id = order(plans, plans.customer_id, plans.plans["trial"])
    plans.run(lambda s: changes.request_cancellation(s, s.get(Service, service_id), "period_end"))
    trial_end = DAY + dt.timedelta(days=14)
    assert bill(plans, DAY)["invoices"] == 0
    assert bill(plans, trial_end)["cancelled"] == 1
    assert invoice_count(plans) == 0 and service(plans, service_id)["status"] == "cancelled"


def test_a_change_on_the_first_day_of_a_period_credits_and_charges_it_all(plans):
    service_id = order(plans, plans.customer_id, plans.plans["small"])
    done = change(plans, service_id, plans.plans["large"], on=DAY)
    assert done["note"] == (cents(D("10.00") * VAT), D(1))
    assert done["invoice"] == (cents(D("31.00") * VAT), DAY, dt.date(2025, 3, 31))
    assert bill(plans, dt.date(2025, 4, 1))["invoices"] == 1  # April, at the new price


def test_a_second_change_after_one_on_the_periods_first_day_credits_the_first_charge(plans):
    service_id = order(plans, plans.customer_id, plans.plans["small"])
    change(plans, service_id, plans.plans["large"], on=DAY)
    left, total = days_left()
    unused = (D(left) / total).quantize(D("0.0001"), ROUND_DOWN)
    again = change(plans, service_id, plans.plans["small"], on=CHANGE)
    assert (again["credit"], again["charge"]) == (cents(D("31.00") * unused), cents(D("10.00") * left / total))
    assert again["note"][0] == cents(again["credit"] * VAT)


def test_a_change_after_the_next_period_was_invoiced_credits_and_recharges_it(plans):
    service_id = order(plans, plans.customer_id, plans.plans["small"])
    assert bill(plans, dt.date(2025, 3, 20))["invoices"] == 1  # April, invoiced 14 days ahead
    on = dt.date(2025, 3, 25)
    left, total = days_left(on)
    unused = (D(left) / total).quantize(D("0.0001"), ROUND_DOWN)
    done = change(plans, service_id, plans.plans["large"], on=on)
    assert done["credit"] == cents(D("10.00") * unused) + D("10.00")  # March's rest and all of April
    assert done["charge"] == cents(D("31.00") * left / total) + D("31.00")
    assert done["invoice"][0] == cents(done["charge"] * VAT)
    assert done["note"][0] == cents(cents(D("10.00") * unused) * VAT) + cents(D("10.00") * VAT)  # two notes
    after = service(plans, service_id)
    assert (after["next_due_date"], after["periods_billed"]) == (dt.date(2025, 5, 1), 1)
    assert bill(plans, dt.date(2025, 4, 10))["invoices"] == 0  # April is not billed again
    assert bill(plans, dt.date(2025, 4, 20))["invoices"] == 1  # May, at the new price
    line = plans.run(lambda s: s.scalars(select(Invoice).order_by(Invoice.id.desc())).first().lines[0].__dict__
                     .copy())
    assert (line["unit_price"], line["period_start"]) == (D("31.00"), dt.date(2025, 5, 1))


def test_a_change_in_a_trial_whose_first_period_is_invoiced_recharges_it(plans):
    service_id = order(plans, plans.customer_id, plans.plans["trial"])  # 14 days from 1 March
    trial_end = DAY + dt.timedelta(days=14)
    assert bill(plans, DAY + dt.timedelta(days=2))["invoices"] == 1  # within the 14 days' lead
    done = change(plans, service_id, plans.plans["large"], on=DAY + dt.timedelta(days=5))
    assert (done["mode"], done["credit"], done["charge"]) == ("immediate", D("8.00"), D("31.00"))
    assert done["invoice"] == (cents(D("31.00") * VAT), trial_end, dt.date(2025, 4, 14))
    after = service(plans, service_id)
    assert (after["anchor_date"], after["periods_billed"], after["next_due_date"]) == (
        trial_end, 1, dt.date(2025, 4, 15))
    assert bill(plans, trial_end)["invoices"] == 0  # the first period is not billed again
