"""A WHMCS-shaped database on the local MariaDB (127.0.0.1:3306, root without password),
made per test from WHMCS 7.8.3's own table definitions (whmcs_schema.sql, see its header)
and filled with generated, realistic rows: two currencies (and one that is not ISO 4217),
taxed and untaxed lines, paid, unpaid, partially paid, cancelled, refunded and draft
invoices, credit applied and credit balances, non-ASCII names, an invalid and a
duplicate e-mail address. Dropped at the end of the test."""

import datetime as dt
import random
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

pymysql = pytest.importorskip("pymysql")

D = Decimal
TODAY = dt.date.today()
CENT = D("0.01")
NAMES = [("Jürgen", "Müßig"), ("Zoë", "Ångström"), ("山田", "太郎"), ("Ольга", "Смирнова"), ("Anna", "Kowalska"),
         ("José", "Núñez"), ("Chris", "Client"), ("Élodie", "Lefèvre"), ("Søren", "Kierkegaard"), ("Ana", "Silva")]
CYCLES = ["Monthly", "Quarterly", "Semi-Annually", "Annually", "Biennially", "Monthly", "Annually"]


def _connect(database=None):
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", database=database,
                           charset="utf8mb4", autocommit=True)


class Whmcs:
    """The test's WHMCS database: ``dsn``, ``execute(sql, args)`` and ``rows(sql)``."""

    def __init__(self, name):
        self.name, self.dsn = name, f"mysql://root@127.0.0.1:3306/{name}"
        self.connection = _connect(name)

    def execute(self, sql, args=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.lastrowid

    def rows(self, sql, args=()):
        with self.connection.cursor(pymysql.cursors.DictCursor) as cursor:
            cursor.execute(sql, args)
            return cursor.fetchall()

    def insert(self, table, **values):
        columns = ", ".join(f"`{k}`" for k in values)
        marks = ", ".join(["%s"] * len(values))
        return self.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values()))


@pytest.fixture
def whmcs():
    try:
        server = _connect()
    except pymysql.MySQLError as exc:
        pytest.skip(f"no MariaDB at 127.0.0.1:3306: {exc}")
    name = f"whmcs_test_{uuid.uuid4().hex[:12]}"
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    db = Whmcs(name)
    try:
        db.execute("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'")  # as WHMCS's own dumps: zero dates allowed
        schema = (Path(__file__).parent / "whmcs_schema.sql").read_text()
        for statement in schema.split(";\n"):
            if statement.strip() and "CREATE TABLE" in statement:
                db.execute(statement)
        generate(db)
        yield db
    finally:
        db.connection.close()
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        server.close()


def generate(db, clients=40, seed=18):
    rnd = random.Random(seed)
    db.insert("tblconfiguration", setting="TaxType", value="Exclusive")
    db.insert("tblcurrencies", id=1, code="EUR", prefix="", suffix=" €", format=2, rate=D(1), default=1)
    db.insert("tblcurrencies", id=2, code="USD", prefix="$", suffix="", format=1, rate=D("1.08"), default=0)
    db.insert("tblcurrencies", id=3, code="BTCX", prefix="", suffix="", format=1, rate=D(1), default=0)  # not ISO
    db.insert("tbltax", level=1, name="VAT", state="", country="DE", taxrate=D("19.00"))
    for gid, name in ((1, "Webhosting"), (2, "Server")):
        db.insert("tblproductgroups", id=gid, name=name, orderfrmtpl="", disabledgateways="", hidden=0,
                  order=gid)
    products = [(1, 1, "hostingaccount", "Hosting Start", "recurring"),
                (2, 1, "hostingaccount", "Hosting Pro", "recurring"),
                (3, 2, "server", "VPS M", "recurring"), (4, 2, "other", "Setup-Service", "onetime"),
                (5, 1, "hostingaccount", "Gratis-Paket", "free")]
    for pid, gid, kind, name, paytype in products:
        db.insert("tblproducts", id=pid, type=kind, gid=gid, name=name, description=f"{name} – Beschreibung",
                  hidden=0, paytype=paytype, servertype="cpanel" if kind == "hostingaccount" else "", order=pid,
                  retired=0, **_product_blanks())
        for currency, factor in ((1, D(1)), (2, D("1.10"))):
            base = D(pid * 5) * factor
            db.insert("tblpricing", type="product", currency=currency, relid=pid,
                      msetupfee=D(0), qsetupfee=D(0), ssetupfee=D(0), asetupfee=D("10.00"), bsetupfee=D(0),
                      tsetupfee=D(0), monthly=base.quantize(CENT), quarterly=(base * 3).quantize(CENT),
                      semiannually=D("-1.00"), annually=(base * 11).quantize(CENT), biennially=D("-1.00"),
                      triennially=D("-1.00"))
    invoice_id = transaction = 0
    for cid in range(1, clients + 1):
        first, last = NAMES[cid % len(NAMES)]
        email = f"kunde{cid}@example.com"
        if cid == 5:
            email = "not-an-email"
        if cid == 7:
            email = "KUNDE6@example.com"  # the address of client 6, another case
        currency = 2 if cid % 3 == 0 else 1
        credit = D("12.34") if cid % 10 == 0 else D(0)
        db.insert("tblclients", id=cid, firstname=first, lastname=f"{last} {cid}",
                  companyname="Müller & Söhne GmbH" if cid % 4 == 0 else "", email=email,
                  address1=f"Hauptstraße {cid}", address2="", city="München", state="Bayern", postcode="80331",
                  country="DE" if cid % 5 else "FR", phonenumber="+49.891234567", tax_id="", password="$2y$10$x",
                  authmodule="", authdata="", currency=currency, defaultgateway="banktransfer", credit=credit,
                  taxexempt=0, latefeeoveride=0, overideduenotices=0, separateinvoices=0, disableautocc=0,
                  datecreated=TODAY - dt.timedelta(days=400), notes="", billingcid=0, securityqid=0,
                  securityqans="", groupid=0, cardlastfour="", cardnum=b"", startdate=b"", expdate=b"",
                  issuenumber=b"", bankname="", banktype="", bankcode=b"", bankacct=b"", gatewayid="", ip="",
                  host="", status="Active" if cid % 17 else "Inactive", language="german" if cid % 2 else "",
                  pwresetkey="", emailoptout=0, overrideautoclose=0)
        if cid % 4 == 0:
            complete = cid % 8 == 0
            db.insert("tblcontacts", userid=cid, firstname="Kontakt", lastname=f"Nummer {cid}", companyname="",
                      email=f"kontakt{cid}@example.com", address1="Nebenweg 3" if complete else "", address2="",
                      city="Köln", state="", postcode="50667", country="DE", phonenumber="+49 221 123456",
                      subaccount=1 if cid % 16 == 0 else 0, password="", permissions="", domainemails=1,
                      generalemails=1, invoiceemails=1, productemails=1, supportemails=1, affiliateemails=0,
                      pwresetkey="")
        # One service per client (every 6th: two), due around today.
        for n in range(1 if cid % 6 else 2):
            pid = 1 + (cid + n) % 4
            cycle = "One Time" if pid == 4 else CYCLES[(cid + n) % len(CYCLES)]
            due = TODAY + dt.timedelta(days=rnd.randint(-3, 60))
            status = "Active" if cid % 9 else ("Suspended" if cid % 2 else "Cancelled")
            db.insert("tblhosting", userid=cid, orderid=0, packageid=pid, server=0,
                      regdate=due - dt.timedelta(days=365),
                      domain=f"kunde{cid}.de", paymentmethod="banktransfer", amount=D(pid * 5),
                      billingcycle=cycle, nextduedate=due, nextinvoicedate=due, domainstatus=status,
                      username=f"u{cid}", password="", notes="", subscriptionid="", promoid=0, suspendreason="",
                      overideautosuspend=0, overidesuspenduntil="0000-00-00", dedicatedip="", assignedips="",
                      ns1="", ns2="")
        if cid % 3 == 0:
            name = "münchen-kunde.de" if cid == 3 else f"kunde{cid}.com"
            db.insert("tbldomains", userid=cid, orderid=0, type="Register",
                      registrationdate=TODAY - dt.timedelta(days=300), domain=name, recurringamount=D("12.00"),
                      registrar="enom", registrationperiod=1, expirydate=TODAY + dt.timedelta(days=cid),
                      subscriptionid="", promoid=0, status="Active", nextduedate=TODAY + dt.timedelta(days=cid),
                      nextinvoicedate=TODAY, additionalnotes="", paymentmethod="banktransfer", dnsmanagement=0,
                      emailforwarding=0, idprotection=1 if cid % 2 else 0, donotrenew=1 if cid % 5 == 0 else 0,
                      reminders="", synced=0)
        for k in range(3 if cid % 2 else 2):
            invoice_id += 1
            kind = ["paid", "unpaid", "partial", "cancelled", "refunded", "credit", "draft"][(cid + k) % 7]
            transaction = _invoice(db, rnd, invoice_id, cid, kind, transaction)
    # Funds added to a balance without an invoice (WHMCS's "add funds" outside an invoice).
    db.insert("tblaccounts", userid=10, currency=0, gateway="banktransfer", date=dt.datetime(2025, 1, 5, 10),
              description="Guthaben", amountin=D("12.34"), fees=D(0), amountout=D(0), rate=D(1),
              transid="ADD-FUNDS-10", invoiceid=0, refundid=0)


def _product_blanks():
    blank = ["subdomain", "autosetup", "freedomain", "freedomainpaymentterms", "freedomaintlds", "billingcycleupgrade",
             "overagesenabled", "affiliatepaytype"] + [f"configoption{i}" for i in range(1, 25)]
    values = dict.fromkeys(blank, "")
    values.update(showdomainoptions=0, stockcontrol=0, qty=0, proratabilling=0, proratadate=0,
                  proratachargenextmonth=0, allowqty=0, servergroup=0, recurringcycles=0, autoterminatedays=0,
                  configoptionsupgrade=0, overagesdisklimit=0, overagesbwlimit=0, overagesdiskprice=D(0),
                  overagesbwprice=D(0), tax=1, affiliateonetime=0, affiliatepayamount=D(0), is_featured=0)
    return values


def _invoice(db, rnd, invoice_id, cid, kind, transaction):
    day = TODAY - dt.timedelta(days=rnd.randint(5, 300))
    items = [(f"Hosting Pro – kunde{cid}.de ({day:%d.%m.%Y})", D(rnd.randint(100, 9999)) / 100, 1)
             for _ in range(rnd.randint(1, 3))]
    if rnd.random() < 0.4:
        items.append(("Einrichtungsgebühr (steuerfrei)", D("4.99"), 0))
    subtotal = sum(amount for _, amount, _ in items)
    taxed = sum(amount for _, amount, t in items if t)
    tax = (taxed * D("0.19")).quantize(CENT, ROUND_HALF_UP)
    total = subtotal + tax
    credit = (total / 2).quantize(CENT) if kind == "credit" else D(0)
    status = {"paid": "Paid", "unpaid": "Unpaid", "partial": "Unpaid", "cancelled": "Cancelled",
              "refunded": "Refunded", "credit": "Paid", "draft": "Draft"}[kind]
    number = f"RE-2025-{invoice_id:05d}" if invoice_id % 2 else ""  # empty: WHMCS numbers by id
    db.insert("tblinvoices", id=invoice_id, userid=cid, invoicenum=number,
              date=day, duedate=day + dt.timedelta(days=14),
              datepaid=dt.datetime.combine(day, dt.time(12)) if status in ("Paid", "Refunded")
              else "0000-00-00 00:00:00",
              subtotal=subtotal, credit=credit, tax=tax, tax2=D(0), total=total, taxrate=D("19.00"),
              taxrate2=D(0),
              status=status, paymentmethod="banktransfer", notes="")
    for description, amount, is_taxed in items:
        db.insert("tblinvoiceitems", invoiceid=invoice_id, userid=cid, type="Hosting", relid=0,
                  description=description, amount=amount, taxed=is_taxed, duedate=day, paymentmethod="banktransfer",
                  notes="")
    paid = {"paid": total, "partial": (total / 3).quantize(CENT), "refunded": total, "credit": total - credit}.get(kind)
    if paid:
        transaction += 1
        db.insert("tblaccounts", userid=cid, currency=0, gateway="paypal" if cid % 2 else "banktransfer",
                  date=dt.datetime.combine(day, dt.time(12)), description=f"Invoice Payment (#{invoice_id})",
                  amountin=paid, fees=D("0.35"), amountout=D(0), rate=D(1), transid=f"TX{transaction:06d}",
                  invoiceid=invoice_id, refundid=0)
        if kind == "refunded":
            refund_of = transaction
            transaction += 1
            db.insert("tblaccounts", userid=cid, currency=0, gateway="paypal" if cid % 2 else "banktransfer",
                      date=dt.datetime.combine(day + dt.timedelta(days=3), dt.time(9)),
                      description=f"Refund of Invoice Payment (#{invoice_id})", amountin=D(0), fees=D(0),
                      amountout=paid, rate=D(1), transid=f"RF{transaction:06d}", invoiceid=invoice_id,
                      refundid=refund_of)
    return transaction
