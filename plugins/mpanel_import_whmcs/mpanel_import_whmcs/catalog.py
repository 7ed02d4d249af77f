"""Product groups, products, their prices; services (tblhosting) and domains."""

from __future__ import annotations

import re
from decimal import Decimal

from .core import as_date, digest, text

PRODUCT_TYPES = {"hostingaccount": "shared_hosting", "reselleraccount": "reseller_hosting",
                 "server": "dedicated_server", "other": "other"}
# tblpricing's (price column, setup fee column) per MPanel cycle.
PRICE_COLUMNS = {"monthly": ("monthly", "msetupfee"), "quarterly": ("quarterly", "qsetupfee"),
                 "semiannually": ("semiannually", "ssetupfee"), "annually": ("annually", "asetupfee"),
                 "biennially": ("biennially", "bsetupfee"), "triennially": ("triennially", "tsetupfee")}
CYCLES = {"monthly": "monthly", "quarterly": "quarterly", "semi-annually": "semiannually", "annually": "annually",
          "biennially": "biennially", "triennially": "triennially", "one time": "onetime",
          "free account": "onetime", "free": "onetime"}
SERVICE_STATUSES = {"Pending": "pending", "Active": "active", "Suspended": "suspended", "Terminated": "terminated",
                    "Cancelled": "cancelled", "Fraud": "fraud", "Completed": "terminated"}
DOMAIN_STATUSES = {"Pending": "pending_registration", "Pending Registration": "pending_registration",
                   "Pending Transfer": "pending_transfer", "Active": "active", "Grace": "grace",
                   "Redemption": "redemption", "Expired": "expired", "Cancelled": "cancelled", "Fraud": "fraud",
                   "Transferred Away": "transferred_away"}
BILLED = ("active", "suspended")  # services whose next due date the billing run keeps


def _slug(name: str, source_id: int) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]
    return f"{base or 'group'}-{source_id}"


def _update(obj, fields: dict) -> None:
    for key, value in fields.items():
        setattr(obj, key, value)


def groups(ctx) -> None:
    from mpanel_catalog.models import ProductGroup

    rows = ctx.source.rows("SELECT id, name, hidden, `order` FROM tblproductgroups ORDER BY id")

    def handle(row):
        row_digest = digest(row)
        state = ctx.seen("tblproductgroups", row["id"], row_digest)
        if state == "unchanged":
            return state
        name = text(row["name"], 200) or f"WHMCS group {row['id']}"
        fields = dict(name=name, hidden=bool(row["hidden"]), sort_order=row["order"] or 0)
        if state == "new":
            group = ProductGroup(slug=_slug(name, row["id"]), **fields)
            ctx.session.add(group)
            ctx.session.flush()
        else:
            group = ctx.session.get(ProductGroup, ctx.target("tblproductgroups", row["id"]))
            _update(group, fields)
        ctx.remember("tblproductgroups", row["id"], "catalog_product_groups", group.id, row_digest)
        return "imported" if state == "new" else "updated"

    ctx.batches("tblproductgroups", rows, handle)


def products(ctx) -> None:
    from mpanel_catalog.models import Product

    rows = ctx.source.rows("SELECT id, type, gid, name, description, hidden, stockcontrol, qty, paytype, allowqty, "
                           "servertype, retired, `order` FROM tblproducts ORDER BY id")

    def handle(row):
        group_id = ctx.target("tblproductgroups", row["gid"])
        if group_id is None:
            ctx.report.problem("tblproducts", row["id"], f"product group {row['gid']} was not imported")
            return None
        row_digest = digest(row)
        state = ctx.seen("tblproducts", row["id"], row_digest)
        if state == "unchanged":
            return state
        fields = dict(group_id=group_id, type=PRODUCT_TYPES.get(text(row["type"]), "other"),
                      name=text(row["name"], 200) or f"WHMCS product {row['id']}",
                      description=text(row["description"]) or None, hidden=bool(row["hidden"]),
                      retired=bool(row["retired"]), stock_control=bool(row["stockcontrol"]),
                      stock_quantity=max(row["qty"] or 0, 0), allow_multiple=bool(row["allowqty"]),
                      sort_order=row["order"] or 0)
        if state == "new":
            # Not provisioned by MPanel until staff choose a module: imported services are never re-created.
            product = Product(provisioning_settings={}, **fields)
            ctx.session.add(product)
            ctx.session.flush()
        else:
            product = ctx.session.get(Product, ctx.target("tblproducts", row["id"]))
            _update(product, fields)
        if text(row["servertype"]):
            ctx.report.problem("tblproducts", row["id"], f"provisioning module {row['servertype']!r} not carried "
                               "over: choose an MPanel module for the product", skipped=False)
        ctx.remember("tblproducts", row["id"], "catalog_products", product.id, row_digest)
        return "imported" if state == "new" else "updated"

    ctx.batches("tblproducts", rows, handle)


def pricing(ctx) -> None:
    """Every cycle of every currency; WHMCS marks a cycle not offered with -1."""
    from mpanel_catalog.models import Price

    paytypes = {row["id"]: text(row["paytype"]).lower()
                for row in ctx.source.rows("SELECT id, paytype FROM tblproducts")}
    rows = ctx.source.rows("SELECT * FROM tblpricing WHERE type = 'product' ORDER BY id")

    def handle(row):
        product_id = ctx.target("tblproducts", row["relid"])
        currency = ctx.currencies.get(row["currency"])
        if product_id is None or currency is None:
            ctx.report.problem("tblpricing", row["id"], f"product {row['relid']} or currency {row['currency']} "
                               "was not imported")
            return None
        row_digest = digest({**row, "paytype": paytypes.get(row["relid"])})
        state = ctx.seen("tblpricing", row["id"], row_digest)
        if state == "unchanged":
            return state
        paytype = paytypes.get(row["relid"], "recurring")
        if paytype == "free":
            wanted = {"monthly": (Decimal(0), Decimal(0))}
        elif paytype == "onetime":
            wanted = {"onetime": (row["monthly"], row["msetupfee"])}
        else:
            wanted = {cycle: (row[price], row[setup]) for cycle, (price, setup) in PRICE_COLUMNS.items()
                      if row[price] is not None and row[price] >= 0}
        for cycle, (price, setup) in wanted.items():
            key = f"tblpricing.{cycle}"
            existing = ctx.target(key, row["id"])
            if existing is None:
                record = Price(product_id=product_id, currency=currency, cycle=cycle, price=price,
                               setup_fee=max(setup, Decimal(0)))
                ctx.session.add(record)
                ctx.session.flush()
            else:
                record = ctx.session.get(Price, existing)
                record.price, record.setup_fee = price, max(setup, Decimal(0))
            ctx.remember(key, row["id"], "catalog_prices", record.id, row_digest)
        for cycle in PRICE_COLUMNS:  # a cycle withdrawn in WHMCS since the last run
            existing = ctx.target(f"tblpricing.{cycle}", row["id"])
            if cycle not in wanted and existing is not None and state == "changed":
                record = ctx.session.get(Price, existing)
                if record is not None:
                    ctx.session.delete(record)
        ctx.remember("tblpricing", row["id"], "catalog_products", product_id, row_digest)
        return "imported" if state == "new" else "updated"

    ctx.batches("tblpricing", rows, handle)


def services(ctx) -> None:
    """tblhosting: each service keeps its cycle, amount and next due date; the
    billing run continues from that date (period 0 starts there)."""
    from mpanel_billing.services.models import Service

    names = {row["id"]: text(row["name"]) for row in ctx.source.rows("SELECT id, name FROM tblproducts")}
    rows = ctx.source.rows("SELECT id, userid, packageid, regdate, domain, amount, billingcycle, nextduedate, "
                           "domainstatus, username FROM tblhosting ORDER BY id")

    def handle(row):
        customer_id = ctx.target("tblclients", row["userid"])
        product_id = ctx.target("tblproducts", row["packageid"])
        cycle = CYCLES.get(text(row["billingcycle"]).lower())
        if customer_id is None or product_id is None:
            ctx.report.problem("tblhosting", row["id"], f"client {row['userid']} or product {row['packageid']} "
                               "was not imported")
            return None
        if cycle is None:
            ctx.report.problem("tblhosting", row["id"], f"billing cycle {row['billingcycle']!r} unknown")
            return None
        row_digest = digest(row)
        state = ctx.seen("tblhosting", row["id"], row_digest)
        if state == "unchanged":
            return state
        status = SERVICE_STATUSES.get(row["domainstatus"], "pending")
        due = as_date(row["nextduedate"])
        start = as_date(row["regdate"]) or due
        if start is None:
            ctx.report.problem("tblhosting", row["id"], "neither a registration nor a next due date")
            return None
        recurring = cycle != "onetime" and status in BILLED and due is not None
        description = names.get(row["packageid"], "")
        if text(row["domain"]):
            description = f"{description} – {text(row['domain'])}"
        fields = dict(customer_id=customer_id, product_id=product_id, description=description[:500],
                      cycle=cycle, currency=ctx.client_currency[row["userid"]],
                      recurring_amount=row["amount"] if cycle != "onetime" else Decimal(0), status=status,
                      start_date=start, anchor_date=due or start, periods_billed=0,
                      next_due_date=due if recurring else None,
                      options={"whmcs": {"username": text(row["username"]), "domain": text(row["domain"])}})
        if state == "new":
            service = Service(**fields)
            ctx.session.add(service)
            ctx.session.flush()
        else:
            service = ctx.session.get(Service, ctx.target("tblhosting", row["id"]))
            _update(service, fields)
        ctx.remember("tblhosting", row["id"], "billing_services", service.id, row_digest)
        return "imported" if state == "new" else "updated"

    ctx.batches("tblhosting", rows, handle)


def domains(ctx) -> None:
    from mpanel_domains.models import Domain
    from mpanel_domains.names import to_ascii

    from mpanel.core.errors import FieldError

    rows = ctx.source.rows("SELECT id, userid, domain, registrar, registrationdate, expirydate, status, "
                           "donotrenew, idprotection, dnsmanagement FROM tbldomains ORDER BY id")
    unknown_registrars = set()

    def handle(row):
        customer_id = ctx.target("tblclients", row["userid"])
        if customer_id is None:
            ctx.report.problem("tbldomains", row["id"], f"client {row['userid']} was not imported")
            return None
        try:
            name = to_ascii(text(row["domain"]))
        except FieldError as exc:
            ctx.report.problem("tbldomains", row["id"], f"domain name {row['domain']!r}: {exc}")
            return None
        row_digest = digest(row)
        state = ctx.seen("tbldomains", row["id"], row_digest)
        if state == "unchanged":
            return state
        registrar = text(row["registrar"], 64) or "none"
        unknown_registrars.add(registrar)
        fields = dict(customer_id=customer_id, name=name, tld=name.partition(".")[2], registrar=registrar,
                      status=DOMAIN_STATUSES.get(row["status"], "active"),
                      registered_at=as_date(row["registrationdate"]), expires_at=as_date(row["expirydate"]),
                      auto_renew=not row["donotrenew"], id_protection=bool(row["idprotection"]),
                      dns_management=bool(row["dnsmanagement"]))
        if state == "new":
            domain = Domain(nameservers=[], **fields)
            ctx.session.add(domain)
            ctx.session.flush()
        else:
            domain = ctx.session.get(Domain, ctx.target("tbldomains", row["id"]))
            _update(domain, fields)
        ctx.remember("tbldomains", row["id"], "domains_domains", domain.id, row_digest)
        return "imported" if state == "new" else "updated"

    ctx.batches("tbldomains", rows, handle)
    from mpanel.core.plugins.engine import loaded_plugins

    for registrar in sorted(unknown_registrars - set(loaded_plugins())):
        ctx.report.problem("tbldomains", None, f"registrar {registrar!r} is not an MPanel registrar plugin: its "
                           "domains keep the name and are not synced until they are moved to one", skipped=False)
