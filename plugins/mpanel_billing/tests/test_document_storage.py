"""Issued PDFs and UBL files live in the storage service with the checksum
taken at issue, checked on every read; PDFs that older versions kept in the
database move there with a re-runnable command."""

import hashlib

import psycopg
import pytest
from mpanel_billing import credit
from mpanel_billing.einvoice import stored_ubl
from mpanel_billing.models import Invoice, StoredDocument
from mpanel_billing.pdf import stored_pdf
from sqlalchemy import select

from mpanel.core import storage
from mpanel.core.dbroles import libpq_url
from mpanel.core.storage.local import LocalBackend
from mpanel.testing.pytest_plugin import bearer


@pytest.fixture
def files(app, tmp_path, monkeypatch):
    backend = LocalBackend(tmp_path / "storage", "test-secret")
    monkeypatch.setitem(app.extensions, storage.EXTENSION, backend)
    return backend


def documents(billing, invoice_id, variant=None):
    query = select(StoredDocument).where(StoredDocument.invoice_id == invoice_id).order_by(StoredDocument.variant)
    if variant:
        query = query.where(StoredDocument.variant == variant)
    return billing.run(lambda s: [(d.variant, d.storage_key, d.stored_content, d.sha256) for d in s.scalars(query)])


def test_issued_pdf_and_ubl_are_stored_in_the_tenants_namespace_with_their_checksum(billing, files, client):
    invoice_id = billing.invoice(billing.customer())
    note_id = billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id)).id)
    pdf = billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)
    ubl = billing.run(lambda s: stored_ubl(s, s.get(Invoice, note_id)).content)
    assert pdf.startswith(b"%PDF") and b"<CreditNote" in ubl
    (variant, key, content, digest), = documents(billing, invoice_id)
    assert (variant, content, digest) == ("invoice", None, hashlib.sha256(pdf).hexdigest())
    assert files.get(f"tenants/{billing.id}/{key}") == pdf
    kinds = {row[0] for row in documents(billing, note_id)}
    assert "ubl" in kinds
    # Read again: the stored bytes, not a new rendering.
    assert billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content) == pdf
    assert len(files.list(f"tenants/{billing.id}/billing/documents/{invoice_id}/")) == 1


def test_a_changed_file_is_refused_on_read(billing, files):
    invoice_id = billing.invoice(billing.customer())
    pdf = billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)
    (_, key, _, _), = documents(billing, invoice_id)
    files.put(f"tenants/{billing.id}/{key}", pdf.replace(b"%PDF", b"%PDX", 1))
    with pytest.raises(storage.ChecksumMismatch):
        billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)


def legacy_pdf(app, billing, invoice_id, content):
    """A row as versions before the storage service wrote it: the bytes in the database
    (as a proforma variant: issuing already stored the invoice's own PDF)."""
    def add(session):
        invoice = session.get(Invoice, invoice_id)
        session.add(StoredDocument(invoice_id=invoice_id, customer_id=invoice.customer_id, variant="proforma",
                                   filename=f"{invoice.number}.pdf", mime="application/pdf", stored_content=content,
                                   sha256=hashlib.sha256(content).hexdigest()))

    billing.run(add)


def test_migrate_documents_moves_database_pdfs_once(app, billing, files, database_urls):
    first, second = billing.invoice(billing.customer()), billing.invoice(billing.customer())
    legacy_pdf(app, billing, first, b"%PDF-1.4 issued in 2024")
    legacy_pdf(app, billing, second, b"%PDF-1.4 damaged")
    owner = libpq_url(database_urls[0])
    with psycopg.connect(owner) as conn:  # simulate a damaged row (the owner may alter its own tables)
        conn.execute("SELECT set_config('mpanel.tenant_id', %s, false)", (str(billing.id),))
        conn.execute("ALTER TABLE billing_documents DISABLE TRIGGER billing_documents_append_only")
        conn.execute("UPDATE billing_documents SET sha256 = repeat('0', 64) WHERE invoice_id = %s "
                     "AND variant = 'proforma'", (second,))
        conn.execute("ALTER TABLE billing_documents ENABLE TRIGGER billing_documents_append_only")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mpanel", "storage", "migrate-documents"], catch_exceptions=False)
    assert f"{billing.tenant.slug}: moved 1, damaged (left in place) 1" in result.output
    (_, key, content, digest), = documents(billing, first, "proforma")
    assert content is None and files.get(f"tenants/{billing.id}/{key}", sha256=digest) == b"%PDF-1.4 issued in 2024"
    listing = files.list()
    again = runner.invoke(args=["mpanel", "storage", "migrate-documents"], catch_exceptions=False)
    assert f"{billing.tenant.slug}: moved 0, damaged (left in place) 1" in again.output
    assert documents(billing, first, "proforma") == [("proforma", key, None, digest)]
    assert files.list() == listing
    assert billing.run(lambda s: stored_pdf(s, s.get(Invoice, first), "proforma").content) == (
        b"%PDF-1.4 issued in 2024")


def test_a_stored_row_stays_as_issued(billing, files, database_urls):
    invoice_id = billing.invoice(billing.customer())
    billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)))
    with psycopg.connect(libpq_url(database_urls[0])) as conn:
        conn.execute("SELECT set_config('mpanel.tenant_id', %s, false)", (str(billing.id),))
        for change in ("SET sha256 = repeat('0', 64)", "SET storage_key = 'billing/other.pdf'",
                       "SET content = 'x', storage_key = NULL"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(f"UPDATE billing_documents {change} WHERE invoice_id = %s", (invoice_id,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute("DELETE FROM billing_documents WHERE invoice_id = %s", (invoice_id,))


def test_the_api_serves_the_stored_files(billing, files, client):
    invoice_id = billing.invoice(billing.customer())
    headers = bearer(billing.tenant.api_token(client, billing.tenant.staff("Billing")))
    pdf = client.get(f"/api/v1/invoices/{invoice_id}/pdf", headers=headers, base_url=billing.host)
    ubl = client.get(f"/api/v1/invoices/{invoice_id}/ubl", headers=headers, base_url=billing.host)
    assert pdf.status_code == 200 and ubl.status_code == 200, (pdf.data, ubl.data)
    rows = dict((variant, digest) for variant, _, _, digest in documents(billing, invoice_id))
    assert rows == {"invoice": hashlib.sha256(pdf.data).hexdigest(), "ubl": hashlib.sha256(ubl.data).hexdigest()}
    assert client.get(f"/api/v1/invoices/{invoice_id}/ubl", headers=headers, base_url=billing.host).data == ubl.data


def test_a_storage_failure_answers_503_not_500(billing, files, client, caplog):
    invoice_id = billing.invoice(billing.customer())
    headers = bearer(billing.tenant.api_token(client, billing.tenant.staff("Billing")))
    pdf = billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)
    (_, key, _, _), = documents(billing, invoice_id)
    files.put(f"tenants/{billing.id}/{key}", pdf + b"tampered")
    answer = client.get(f"/api/v1/invoices/{invoice_id}/pdf", headers=headers, base_url=billing.host)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
    assert "try again later" in answer.json["message"]["request"][0]
    assert any("storage error" in record.getMessage() for record in caplog.records)
    files.delete(f"tenants/{billing.id}/{key}")
    assert client.get(f"/api/v1/invoices/{invoice_id}/pdf", headers=headers, base_url=billing.host).status_code == 503
