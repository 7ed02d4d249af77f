"""The billing admin forms and lists on the kernel's base view, driven through the
pages with CSRF: decimals in the session's locale and never rounded, boxes that can
be unticked, a redirect back to the list or record, totals of what counts."""

import re
from decimal import Decimal

from mpanel_billing import invoices
from mpanel_billing.models import Invoice, NumberSeries, TaxRule
from sqlalchemy import select

from mpanel.testing.pytest_plugin import csrf_token


def post(client, billing, path, data, language="en"):
    token = csrf_token(client.get(path, base_url=billing.host).get_data(as_text=True))
    return client.post(f"{path}?_l_={language}", base_url=billing.host, data={**data, "csrf_token": token})


def test_tax_rule_form_keeps_9_975_percent_typed_the_german_way_and_saves_unticked_boxes(client, billing):
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    form = client.get("/taxruleview/add", base_url=billing.host).get_data(as_text=True)
    assert re.search(r'<select[^>]*name="country"', form) and '<option value="CA">' in form
    response = post(client, billing, "/taxruleview/add", {
        "name": "QST", "country": "CA", "region": "Quebec", "category": "standard", "rate": "9,975",
        "level": "2"}, "de")  # compound, prices_include_tax and active unticked
    assert response.status_code == 302 and response.headers["Location"].endswith("/taxruleview/list/")
    rule_id, rate, country, boxes = billing.run(lambda s: (lambda r: (
        r.id, r.rate, r.country, (r.compound, r.prices_include_tax, r.active)))(
        s.scalars(select(TaxRule).where(TaxRule.name == "QST")).one()))
    assert rate == Decimal("9.975") and country == "CA" and boxes == (False, False, False)
    edit = client.get(f"/taxruleview/edit/{rule_id}?_l_=de", base_url=billing.host).get_data(as_text=True)
    assert 'value="9,975"' in edit
    bad = post(client, billing, f"/taxruleview/edit/{rule_id}", {
        "name": "QST", "country": "CA", "category": "standard", "rate": "9,97x", "level": "2"}, "de")
    assert bad.status_code == 200 and "9,99" in bad.get_data(as_text=True)  # the error shows the notation
    assert billing.run(lambda s: s.get(TaxRule, rule_id).rate) == Decimal("9.975")
    saved = post(client, billing, f"/taxruleview/edit/{rule_id}", {
        "name": "QST", "country": "CA", "category": "standard", "rate": "9,975", "level": "2", "active": "y"}, "de")
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/taxruleview/show/{rule_id}")
    assert billing.run(lambda s: s.get(TaxRule, rule_id).active) is True
    # In English "9,975" is nine thousand: too big for a rate, refused on the form, nothing saved.
    english = post(client, billing, f"/taxruleview/edit/{rule_id}", {
        "name": "QST", "country": "CA", "category": "standard", "rate": "9,975", "level": "2"})
    assert english.status_code == 200 and "Must be less than 1000" in english.get_data(as_text=True)
    assert billing.run(lambda s: s.get(TaxRule, rule_id).rate) == Decimal("9.975")


def test_number_series_without_a_yearly_reset(client, billing):
    billing.tenant.web_login(client, billing.tenant.staff("Admin"))
    response = post(client, billing, "/numberseriesview/add", {"series": "proforma", "format": "P-{seq:06}"})
    assert response.status_code == 302
    saved = billing.run(lambda s: [(r.format, r.reset_yearly) for r in s.scalars(
        select(NumberSeries).where(NumberSeries.series == "proforma"))])
    assert saved == [("P-{seq:06}", False)]


def test_invoice_list_totals_count_neither_drafts_nor_cancelled_invoices_and_the_list_searches(client, billing):
    customer_id = billing.customer(country="US", company="Findable Ltd")
    other_id = billing.customer(country="US", company="Elsewhere Inc")
    billing.invoice(customer_id, [("Hosting", "1", "1234.50")])
    billing.invoice(other_id, [("Hosting", "1", "100.00")])
    billing.invoice(customer_id, [("Draft", "1", "5000.00")], issue=False)
    cancelled = billing.invoice(customer_id, [("Cancelled", "1", "700.00")])
    billing.run(lambda s: invoices.cancel(s, s.get(Invoice, cancelled)))
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    page = client.get("/invoiceview/list/?_l_=de", base_url=billing.host).get_data(as_text=True)
    totals = page[page.index('id="billing-totals"'):]
    assert "1.334,50\xa0€" in totals and "<td>2</td>" in totals  # the two issued invoices
    assert "1.234,50\xa0€" in page and ">None<" not in page  # amounts as money; an empty number is empty
    number = billing.load(cancelled, lambda i: i.number)
    searched = client.get(f"/invoiceview/list/?q={number}", base_url=billing.host).get_data(as_text=True)
    assert f'name="q" value="{number}"' in searched and searched.count(number) >= 2
    assert "INV-" not in searched.replace(number, "")  # only the searched invoice is listed
