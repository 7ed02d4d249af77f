"""Import a generated WHMCS database (conftest.py) into a tenant: dry run, import,
re-run, change and re-run, the reconciliation, the CLI, and a billing run afterwards."""

import datetime as dt
from decimal import Decimal

import pytest
from mpanel_billing.testing import Billing
from sqlalchemy import func, select

from mpanel.modules.customers.models import Customer

D = Decimal
TODAY = dt.date.today()


@pytest.fixture
def shop(app, factory):
    return Billing(app, factory)


def run(shop, whmcs, **options):
    from mpanel_import_whmcs.runner import run_import

    from mpanel.modules.tenants.models import Tenant

    return shop.run(lambda s: run_import(s, s.get(Tenant, shop.id), whmcs.dsn, **options))


def count(shop, model, *where):
    return shop.run(lambda s: s.scalar(select(func.count()).select_from(model).where(*where)))


def test_dry_run_reports_and_writes_nothing(shop, whmcs):
    from mpanel_import_whmcs.models import ImportMap

    report = run(shop, whmcs, dry_run=True)
    assert report["dry_run"] and report["ok"], report["differences"]
    assert report["tables"]["tblclients"]["imported"] == 40, report["problems"][:5]
    assert report["tables"]["tblinvoices"]["read"] == len(whmcs.rows("SELECT id FROM tblinvoices"))
    assert count(shop, Customer) == 0 and count(shop, ImportMap) == 0


def test_import_is_exact_and_re_runs_import_nothing_twice(shop, whmcs):
    from mpanel_billing.models import Account, Invoice, Payment
    from mpanel_billing.services.models import Service
    from mpanel_domains.models import Domain

    report = run(shop, whmcs)
    assert report["ok"], report["differences"]
    eur, usd = report["reconciliation"]["EUR"], report["reconciliation"]["USD"]
    for measures in (eur, usd):
        for pair in measures.values():
            assert pair["whmcs"] == pair["mpanel"]
    expected = whmcs.rows("SELECT SUM(total) AS t FROM tblinvoices i JOIN tblclients c ON c.id = i.userid "
                          "WHERE c.currency = 1 AND i.status <> 'Draft'")[0]["t"]
    assert D(eur["invoices"]["mpanel"]) == expected
    assert D(eur["credit"]["whmcs"]) > 0 and D(usd["payments"]["whmcs"]) > 0
    reasons = [p["reason"] for p in report["problems"]]
    assert any("'BTCX' is not an ISO 4217" in r for r in reasons)
    assert any("draft" in r for r in reasons)
    assert count(shop, Customer) == 40

    # Invalid and duplicate addresses got placeholders; non-ASCII names are kept.
    def customers(session):
        return {c.email: c for c in session.scalars(select(Customer))}

    by_email = shop.run(lambda s: {e: (c.first_name, c.last_name, c.currency) for e, c in customers(s).items()})
    assert "whmcs-client-5@import.invalid" in by_email and "whmcs-client-7@import.invalid" in by_email
    assert by_email["kunde3@example.com"][0] == "Ольга"
    assert by_email["kunde3@example.com"][2] == "USD"

    # Invoices keep their WHMCS number (or id), dates, totals, tax; outside the series.
    row = whmcs.rows("SELECT * FROM tblinvoices WHERE status = 'Paid' AND invoicenum <> '' ORDER BY id LIMIT 1")[0]
    by_id = whmcs.rows("SELECT * FROM tblinvoices WHERE status = 'Unpaid' AND invoicenum = '' ORDER BY id LIMIT 1")[0]

    def invoice(session, number):
        return session.scalar(select(Invoice).where(Invoice.number == number))

    paid = shop.run(lambda s: (lambda i: (i.status, i.total, i.tax_total, i.net_total, i.issue_date, i.number_seq,
                                          i.amount_due, len(i.lines)))(invoice(s, row["invoicenum"])))
    items = whmcs.rows("SELECT COUNT(*) AS n FROM tblinvoiceitems WHERE invoiceid = %s", (row["id"],))[0]["n"]
    assert paid == ("paid", row["total"], row["tax"], row["subtotal"], row["date"], None, D(0), items)
    assert shop.run(lambda s: invoice(s, str(by_id["id"])).status) in ("unpaid", "partially_paid")
    statuses = shop.run(lambda s: dict(s.execute(select(Invoice.status, func.count())
                                                                   .group_by(Invoice.status)).all()))
    assert {"paid", "unpaid", "partially_paid", "cancelled", "refunded"} <= set(statuses)
    assert "draft" not in statuses

    # Partially paid: amount due is what WHMCS still expects; the ledger agrees.
    partial = shop.run(lambda s: s.scalars(select(Invoice).where(Invoice.status == "partially_paid")).first().id)
    due, entries = shop.run(lambda s: (s.get(Invoice, partial).amount_due, s.scalar(
        select(func.sum(_ledger().amount)).where(_ledger().invoice_id == partial))))
    assert due == entries and due > 0

    # Services keep their next due date and cycle; domains their expiry; credit balances are account credit.
    hosting = whmcs.rows("SELECT * FROM tblhosting WHERE domainstatus = 'Active' AND billingcycle = 'Quarterly' "
                         "ORDER BY id LIMIT 1")[0]
    service = shop.run(lambda s: s.execute(
        select(Service.next_due_date, Service.recurring_amount, Service.status)
        .where(Service.description.contains(hosting["domain"]), Service.cycle == "quarterly")).first())
    assert tuple(service) == (hosting["nextduedate"], hosting["amount"], "active")
    domain = shop.run(lambda s: s.execute(select(Domain.expires_at, Domain.registrar)
                                          .where(Domain.name == "xn--mnchen-kunde-dlb.de")).one())
    assert tuple(domain) == (TODAY + dt.timedelta(days=3), "enom")
    credit = shop.run(lambda s: s.scalar(select(func.sum(Account.credit))))
    assert credit == sum(r["credit"] for r in whmcs.rows("SELECT credit FROM tblclients"))

    # A second run imports nothing twice.
    before = count(shop, Invoice), count(shop, Payment), count(shop, Customer), count(shop, Service)
    again = run(shop, whmcs)
    assert again["ok"], again["differences"]
    assert all(c["imported"] == 0 and c["updated"] == 0 for c in again["tables"].values()), again["tables"]
    assert (count(shop, Invoice), count(shop, Payment), count(shop, Customer), count(shop, Service)) == before

    # WHMCS kept running: a client renamed, an unpaid invoice paid, a credit balance changed. Only those change.
    unpaid = whmcs.rows("SELECT i.id, i.total, i.userid FROM tblinvoices i WHERE status = 'Unpaid' AND NOT EXISTS "
                        "(SELECT 1 FROM tblaccounts a WHERE a.invoiceid = i.id) ORDER BY id LIMIT 1")[0]
    whmcs.execute("UPDATE tblclients SET lastname = 'Neumann' WHERE id = 2")
    whmcs.execute("UPDATE tblinvoices SET status = 'Paid', datepaid = NOW() WHERE id = %s", (unpaid["id"],))
    whmcs.insert("tblaccounts", userid=unpaid["userid"], currency=0, gateway="paypal", date=dt.datetime(2025, 6, 1),
                 description="Invoice Payment", amountin=unpaid["total"], fees=D(0), amountout=D(0), rate=D(1),
                 transid="LATE-1", invoiceid=unpaid["id"], refundid=0)
    whmcs.execute("UPDATE tblclients SET credit = 50.00 WHERE id = 20")
    third = run(shop, whmcs)
    assert third["ok"], third["differences"]
    assert third["tables"]["tblclients"]["updated"] == 1
    assert third["tables"]["tblinvoices"]["updated"] == 1
    assert third["tables"]["tblaccounts"]["imported"] == 1
    assert third["tables"]["tblclients.credit"]["updated"] == 1
    assert count(shop, Customer, Customer.last_name == "Neumann") == 1
    number = whmcs.rows("SELECT invoicenum, id FROM tblinvoices WHERE id = %s", (unpaid["id"],))[0]
    status = shop.run(lambda s: invoice(s, number["invoicenum"] or str(number["id"])).status)
    assert status == "paid"


def _ledger():
    from mpanel_billing.models import LedgerEntry

    return LedgerEntry


def test_a_changed_total_is_reported_as_a_difference(shop, whmcs):
    run(shop, whmcs)
    whmcs.execute("UPDATE tblinvoices SET total = total + 1.00 WHERE id = 1")
    report = run(shop, whmcs)
    assert not report["ok"]
    assert any(d["measure"] == "invoices" and d["difference"] == "-1.00" for d in report["differences"])
    assert any(p["table"] == "tblinvoices" and p["id"] == 1 and "total changed" in p["reason"]
               for p in report["problems"])


def test_tax_inclusive_lines(shop, whmcs):
    from mpanel_billing.models import InvoiceLine

    whmcs.execute("UPDATE tblconfiguration SET value = 'Inclusive' WHERE setting = 'TaxType'")
    report = run(shop, whmcs, only={"invoices"})
    assert report["tables"]["tblinvoices"]["imported"] > 0
    assert count(shop, InvoiceLine, InvoiceLine.prices_include_tax.is_(True)) > 0


def test_cli_exits_non_zero_on_a_difference(app, shop, whmcs):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["mpanel", "import", "whmcs", "--tenant", shop.tenant.slug, "--source", whmcs.dsn,
                              "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "DRY RUN" in dry.output and "EUR invoices" in dry.output and "DIFFERS" not in dry.output
    assert count(shop, Customer) == 0
    whmcs.execute("INSERT INTO tblinvoices (userid, invoicenum, date, duedate, subtotal, credit, tax, tax2, total, "
                  "taxrate, taxrate2, status, paymentmethod, notes) VALUES (999, '', CURDATE(), CURDATE(), 5, 0, 0, "
                  "0, 5, 0, 0, 'Unpaid', '', '')")
    whmcs.execute("INSERT INTO tblclients (id, firstname, lastname, companyname, email, address1, address2, city, "
                  "state, postcode, country, phonenumber, password, authmodule, authdata, currency, defaultgateway, "
                  "credit, taxexempt, latefeeoveride, overideduenotices, separateinvoices, disableautocc, "
                  "datecreated, notes, billingcid, securityqid, securityqans, groupid, cardlastfour, cardnum, "
                  "startdate, expdate, issuenumber, bankname, banktype, bankcode, bankacct, gatewayid, ip, host, "
                  "language, pwresetkey, emailoptout, overrideautoclose) VALUES (999, 'Bit', 'Coin', '', "
                  "'btc@example.com', '', '', '', '', '', 'DE', '', '', '', '', 3, '', 0, 0, 0, 0, 0, 0, CURDATE(), "
                  "'', 0, 0, '', 0, '', '', '', '', '', '', '', '', '', '', '', '', '', '', 0, 0)")
    result = runner.invoke(args=["mpanel", "import", "whmcs", "--tenant", shop.tenant.slug, "--source", whmcs.dsn])
    assert result.exit_code == 1, result.output
    assert "currency id 3 is not mapped" in result.output and "BTCX invoices" in result.output
    bad = runner.invoke(args=["mpanel", "import", "whmcs", "--tenant", shop.tenant.slug, "--source", "http://x"])
    assert bad.exit_code == 2 and "--source" in bad.output


def test_billing_run_bills_only_what_whmcs_would(shop, whmcs):
    from mpanel_billing.run import run_tenant
    from mpanel_billing.services.models import ServicePeriod

    shop.configure(tax_exchange_rates="USD=0.9234")  # USD invoices state their VAT in EUR too (art. 230)
    run(shop, whmcs, only={"products", "services"})
    lead = 14
    due = whmcs.rows("SELECT id FROM tblhosting WHERE domainstatus = 'Active' AND billingcycle <> 'One Time' "
                     "AND nextduedate <= %s", (TODAY + dt.timedelta(days=lead),))
    result = run_tenant(shop.id, TODAY)
    assert result["failures"] == 0, result
    periods = shop.run(lambda s: s.execute(select(ServicePeriod.service_id, ServicePeriod.period_start)).all())
    assert len({service for service, _ in periods}) == len(due) > 0
    starts = {row["nextduedate"] for row in whmcs.rows("SELECT nextduedate FROM tblhosting")}
    assert all(start in starts for _, start in periods)  # each first period starts at WHMCS's next due date


def test_id_map_is_isolated_per_tenant(shop, whmcs, factory, runtime_connection):
    from mpanel_import_whmcs.models import ImportMap

    run(shop, whmcs, only={"clients"})
    other = factory.tenant()
    assert count(shop, ImportMap) == 40
    with runtime_connection.cursor() as cursor:
        cursor.execute("SELECT set_config('mpanel.tenant_id', %s, false)", (str(other.id),))
        cursor.execute("SELECT count(*) FROM import_whmcs_map")
        assert cursor.fetchone()[0] == 0
        with pytest.raises(Exception, match="row-level security"):
            cursor.execute("INSERT INTO import_whmcs_map (tenant_id, source, source_id, target, target_id, digest) "
                           "VALUES (%s, 'tblclients', 1, 'customers', 1, 'x')", (shop.id,))
