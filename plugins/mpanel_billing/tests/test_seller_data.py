"""No numbered, immutable invoice without the seller's legal data (art. 226(3),(5)
VAT directive; BR-S-02, BR-CO-26): issuing is refused naming the settings, and the
dashboard can list what is missing."""

from mpanel_billing.models import Invoice
from mpanel_billing.parties import seller_data_missing
from sqlalchemy import func, select

from mpanel.testing.pytest_plugin import bearer


def test_an_invoice_is_not_issued_while_seller_fields_are_missing(client, billing):
    billing.configure(seller_vat_id="", seller_street=" ", seller_city="")
    assert set(billing.run(seller_data_missing)) == {"seller_vat_id", "seller_street", "seller_city"}
    token = bearer(billing.tenant.api_token(client, billing.tenant.staff("Owner")))
    body = {"customer_id": billing.customer(), "issue": True,
            "lines": [{"description": "Hosting", "quantity": "1", "unit_price": "10.00"}]}
    refused = client.post("/api/v1/invoices/", base_url=billing.host, headers=token, json=body)
    assert refused.status_code == 409
    assert set(refused.get_json()["message"]) == {"seller_vat_id", "seller_street", "seller_city"}
    assert "VAT id" in refused.get_json()["message"]["seller_vat_id"][0]
    assert billing.run(lambda s: s.scalar(select(func.count(Invoice.id)).where(Invoice.number.is_not(None)))) == 0
    billing.configure(seller_vat_id="DE123456788", seller_street="Torstrasse 1", seller_city="Berlin")
    assert billing.run(seller_data_missing) == {}
    issued = client.post("/api/v1/invoices/", base_url=billing.host, headers=token, json=body)
    assert issued.status_code == 201 and issued.get_json()["result"]["seller"]["vat_id"] == "DE123456788"


def test_the_name_falls_back_to_the_tenants(billing):
    billing.configure(seller_name="")
    assert billing.run(seller_data_missing) == {}
    assert billing.load(billing.invoice(billing.customer()), lambda i: i.seller["name"])
