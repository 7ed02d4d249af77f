"""Issued PDFs and UBL files in the storage service, and the move of the
PDFs that older versions kept in the database.

A document's bytes are written to storage before its row is inserted, under a
key that carries their checksum, so a row never points at missing or other
bytes; a lost race leaves an unused file, never a changed one.
"""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import create_engine, select, text
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.storage import sha256, tenant_storage
from mpanel.core.storage.cli import storage_cli
from mpanel.core.tenancy import require_tenant_id, tenant_scope

from .models.documents import StoredDocument
from .models.invoice import Invoice

EXTENSIONS = {"application/pdf": ".pdf", "application/xml": ".xml"}


def document_key(invoice_id: int, variant: str, digest: str, mime: str) -> str:
    return f"billing/documents/{invoice_id}/{variant}-{digest[:16]}{EXTENSIONS.get(mime, '')}"


def stored(session, invoice: Invoice, variant: str, filename: str, mime: str, render) -> StoredDocument:
    """The stored document, rendered with ``render()`` and stored the first time."""
    query = select(StoredDocument).where(StoredDocument.invoice_id == invoice.id, StoredDocument.variant == variant)
    document = session.scalars(query).one_or_none()
    if document is not None:
        return document
    content = render()
    digest = sha256(content)
    key = document_key(invoice.id, variant, digest, mime)
    tenant_storage().put(key, content, mime)
    session.execute(insert(StoredDocument).values(
        tenant_id=require_tenant_id(), customer_id=invoice.customer_id, invoice_id=invoice.id, variant=variant,
        filename=filename, mime=mime, storage_key=key, sha256=digest,
    ).on_conflict_do_nothing(index_elements=["invoice_id", "variant"]))
    return session.scalars(query).one()


def migrate_tenant(connection, tenant_id: int) -> dict:
    """Move one tenant's database-held documents into storage (owner connection)."""
    counts = {"moved": 0, "damaged": 0}
    connection.execute(text("SELECT set_config('mpanel.tenant_id', :t, true)"), {"t": str(tenant_id)})
    rows = connection.execute(text(
        "SELECT id, invoice_id, variant, mime, content, sha256 FROM billing_documents "
        "WHERE storage_key IS NULL ORDER BY id FOR UPDATE")).all()
    with tenant_scope(tenant_id):
        files = tenant_storage()
        for row in rows:
            if sha256(row.content) != row.sha256:  # never move bytes that are not what was issued
                counts["damaged"] += 1
                continue
            key = document_key(row.invoice_id, row.variant, row.sha256, row.mime)
            files.put(key, row.content, row.mime)
            if files.checksum(key) != row.sha256:
                raise click.ClickException(f"storage returned other bytes for {key}; nothing was changed")
            connection.execute(text("UPDATE billing_documents SET content = NULL, storage_key = :key WHERE id = :id"),
                               {"key": key, "id": row.id})
            counts["moved"] += 1
    return counts


@storage_cli.command("migrate-documents")
def migrate_documents():
    """Move invoice PDFs kept in the database into storage (re-runnable)."""
    from mpanel.extensions import db
    from mpanel.modules.tenants.models import Tenant

    tenants = db.session.execute(select(Tenant.id, Tenant.slug).order_by(Tenant.id)).all()
    db.session.remove()
    engine = create_engine(current_app.config["MIGRATION_DATABASE_URL"])
    try:
        for tenant_id, slug in tenants:
            with engine.begin() as connection:
                counts = migrate_tenant(connection, tenant_id)
            click.echo(f"{slug}: moved {counts['moved']}, damaged (left in place) {counts['damaged']}")
    finally:
        engine.dispose()
