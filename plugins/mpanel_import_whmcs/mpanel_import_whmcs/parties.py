"""Currencies, clients (customers) and their contacts."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from mpanel.core.money import CurrencyError, validate_currency
from mpanel.modules.customers.models import Customer
from mpanel.modules.customers.validation import check_country, registry_phone

from .core import digest, text

# WHMCS stores the client's language as the name of its language file.
LANGUAGES = {"english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it", "dutch": "nl",
             "portuguese-pt": "pt", "portuguese-br": "pt", "swedish": "sv", "norwegian": "no", "danish": "da",
             "polish": "pl", "czech": "cs", "turkish": "tr", "russian": "ru"}


def placeholder_email(client_id: int) -> str:
    """A unique address in the reserved .invalid domain (RFC 2606): never deliverable, easy to find."""
    return f"whmcs-client-{client_id}@import.invalid"


def currencies(ctx) -> None:
    for row in ctx.source.rows("SELECT id, code FROM tblcurrencies ORDER BY id"):
        ctx.report.count("tblcurrencies", "read")
        try:
            ctx.currencies[row["id"]] = validate_currency(text(row["code"]).upper())
            ctx.report.count("tblcurrencies", "unchanged")
        except CurrencyError:
            ctx.report.problem("tblcurrencies", row["id"], f"{row['code']!r} is not an ISO 4217 currency")


def _email(ctx, row, taken: dict) -> tuple[str, str | None]:
    """(address to store, problem or None): invalid and duplicate addresses get a placeholder."""
    raw = text(row["email"]).lower()
    try:
        address = validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return placeholder_email(row["id"]), f"invalid e-mail address {raw!r}: replaced by a placeholder"
    owner = taken.get(address)
    if owner is not None and owner != ctx.target("tblclients", row["id"]):
        return placeholder_email(row["id"]), f"e-mail address {raw!r} is used by another customer: replaced"
    return address, None


def clients(ctx) -> None:
    session, tenant = ctx.session, ctx.tenant
    rows = ctx.source.rows("SELECT id, firstname, lastname, companyname, email, address1, address2, city, state, "
                           "postcode, country, phonenumber, tax_id, currency, credit, taxexempt, status, language, "
                           "datecreated FROM tblclients ORDER BY id")
    taken = dict(session.execute(select(func.lower(Customer.email), Customer.id)).all())

    def handle(row):
        currency = ctx.currencies.get(row["currency"])
        if currency is None:
            ctx.report.problem("tblclients", row["id"], f"currency id {row['currency']} is not mapped")
            return None
        ctx.client_currency[row["id"]] = currency
        values = {k: v for k, v in row.items() if k != "credit"}  # the balance is its own step
        row_digest = digest(values)
        state = ctx.seen("tblclients", row["id"], row_digest)
        if state == "unchanged":
            return "unchanged"
        email, email_problem = _email(ctx, row, taken)
        try:
            country = check_country(text(row["country"]))
        except ValueError:
            country = tenant.country
            ctx.report.problem("tblclients", row["id"], f"country {row['country']!r} unknown: {country} used",
                               skipped=False)
        if email_problem:
            ctx.report.problem("tblclients", row["id"], email_problem, skipped=False)
        fields = dict(first_name=text(row["firstname"], 100), last_name=text(row["lastname"], 100),
                      company=text(row["companyname"], 200) or None, email=email,
                      phone=text(row["phonenumber"], 40) or None, address1=text(row["address1"], 200) or None,
                      address2=text(row["address2"], 200) or None, city=text(row["city"], 100) or None,
                      postcode=text(row["postcode"], 20) or None, region=text(row["state"], 100) or None,
                      country=country, vat_id=text(row["tax_id"], 32) or None, currency=currency,
                      language=LANGUAGES.get(text(row["language"]).lower(), "en"),
                      tax_exempt=bool(row["taxexempt"]), active=row["status"] == "Active")
        if state == "new":
            customer = Customer(**fields)
            session.add(customer)
            session.flush()
        else:
            customer = session.get(Customer, ctx.target("tblclients", row["id"]))
            if customer.currency != currency:
                ctx.report.problem("tblclients", row["id"], "currency changed in WHMCS: MPanel keeps "
                                   f"{customer.currency}", skipped=False)
                fields["currency"] = customer.currency
            for key, value in fields.items():
                setattr(customer, key, value)
        taken[email] = customer.id
        ctx.remember("tblclients", row["id"], "customers", customer.id, row_digest)
        return "imported" if state == "new" else "updated"

    ctx.batches("tblclients", rows, handle)


def contacts(ctx) -> None:
    """Contacts become domain contacts (registrant, admin, ...) of their customer when
    their address is complete; sub-account logins are not created (see docs)."""
    from mpanel_domains.models import DomainContact

    rows = ctx.source.rows("SELECT id, userid, firstname, lastname, companyname, email, address1, address2, city, "
                           "state, postcode, country, phonenumber, subaccount FROM tblcontacts ORDER BY id")

    def handle(row):
        customer_id = ctx.target("tblclients", row["userid"])
        if customer_id is None:
            ctx.report.problem("tblcontacts", row["id"], f"client {row['userid']} was not imported")
            return None
        row_digest = digest(row)
        state = ctx.seen("tblcontacts", row["id"], row_digest)
        if state == "unchanged":
            return "unchanged"
        missing = [k for k in ("firstname", "lastname", "email", "address1", "city", "postcode", "phonenumber")
                   if not text(row[k])]
        try:
            country = check_country(text(row["country"]))
            phone = registry_phone(text(row["phonenumber"]), country) if not missing else ""
        except ValueError as exc:
            missing.append(str(exc))
        if missing:
            ctx.report.problem("tblcontacts", row["id"], f"incomplete for a domain contact: {', '.join(missing)}")
            return None
        fields = dict(customer_id=customer_id, first_name=text(row["firstname"], 100),
                      last_name=text(row["lastname"], 100), company=text(row["companyname"], 200) or None,
                      email=text(row["email"], 320).lower(), phone=phone[:20], address1=text(row["address1"], 200),
                      address2=text(row["address2"], 200) or None, city=text(row["city"], 100),
                      postcode=text(row["postcode"], 16), region=text(row["state"], 100) or None, country=country)
        if state == "new":
            contact = DomainContact(registry_handles={}, **fields)
            ctx.session.add(contact)
            ctx.session.flush()
        else:
            contact = ctx.session.get(DomainContact, ctx.target("tblcontacts", row["id"]))
            for key, value in fields.items():
                setattr(contact, key, value)
        if row["subaccount"]:
            ctx.report.problem("tblcontacts", row["id"], "sub-account login not created: invite the contact from "
                               "the customer's page", skipped=False)
        ctx.remember("tblcontacts", row["id"], "domains_contacts", contact.id, row_digest)
        return "imported" if state == "new" else "updated"

    ctx.batches("tblcontacts", rows, handle)
