"""A negative line on an invoice (a refund line, EN 16931 allows it): entered through
the API, valid with the official validator, and credited with the rest."""

import sys

from mpanel_billing import ledger
from mpanel_billing.einvoice import ubl_for

from mpanel.testing.pytest_plugin import bearer
from mpanel.testing.validators import validators_dir


def test_a_refund_line_lowers_the_invoice_and_is_credited_with_it(client, billing, tmp_path):
    owner = bearer(billing.tenant.api_token(client, billing.tenant.staff("Owner")))
    body = {"customer_id": billing.customer(), "issue": True, "lines": [
        {"description": "Hosting June", "quantity": "1", "unit_price": "100.00"},
        {"description": "Refund: outage in May", "quantity": "-1", "unit_price": "20.00"}]}
    created = client.post("/api/v1/invoices/", base_url=billing.host, headers=owner, json=body)
    assert created.status_code == 201, created.get_json()
    invoice = created.get_json()["result"]
    assert (invoice["net_total"], invoice["tax_total"], invoice["total"]) == ("80.00", "15.20", "95.20")
    sys.path.insert(0, str(validators_dir()))
    import validate

    (tmp_path / "refund.xml").write_bytes(billing.load(invoice["id"], ubl_for))
    assert validate.validate_en16931(tmp_path / "refund.xml")[0] == []
    zero = client.post("/api/v1/invoices/", base_url=billing.host, headers=owner, json={
        **body, "lines": [{"description": "x", "quantity": "0", "unit_price": "1"}]})
    assert zero.status_code == 400 and "quantity" in zero.get_json()["message"]["lines"]["0"]
    cancelled = client.post(f"/api/v1/invoices/{invoice['id']}/cancel", base_url=billing.host, headers=owner)
    assert cancelled.status_code == 200 and cancelled.get_json()["result"]["total"] == "95.20"
    assert billing.load(invoice["id"], lambda i: i.status) == "cancelled"
    assert billing.run(ledger.reconcile) == []
