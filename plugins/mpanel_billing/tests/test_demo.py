"""make run's billing demo data: seller and bank details, one open invoice per
customer, and nothing more when it is seeded again."""

from mpanel_billing import demo
from mpanel_billing.models import Invoice
from mpanel_billing.settings import DEFAULTS
from mpanel_billing.testing import D
from sqlalchemy import select

from mpanel.core.settings import get_settings
from mpanel.modules.customers.models import Customer
from mpanel.modules.tenants.models import Tenant


def test_demo_invoices_are_issued_once_with_the_sellers_bank_details(billing):
    billing.customer(), billing.customer()

    def seed(session):
        demo.seed(session, session.get(Tenant, billing.id), session.scalars(select(Customer)).all())

    billing.run(seed)
    billing.run(seed)
    rows = billing.run(lambda s: [(i.status, i.total, i.seller["name"]) for i in s.scalars(select(Invoice))])
    tenant_name = billing.run(lambda s: s.get(Tenant, billing.id).name)
    assert rows == [("unpaid", D("17.73"), tenant_name)] * 2  # (9.90 + 5.00) + 19 % VAT, once per customer
    settings = billing.run(lambda s: get_settings(s, "billing", DEFAULTS))
    assert settings["bank_iban"] == "DE89370400440532013000" and settings["send_invoice_mail"] is False
