"""billing documents: the bytes live in the storage service; the row keeps the key and the sha256

Revision ID: 0009_document_storage
Revises: 0008_refund_lines

A row holds either its content (stored before this revision) or a storage
key, never both. The table stays append-only but for one change, made by
``flask mpanel storage migrate-documents`` as the owner: moving the bytes
out (content to NULL, storage key set once, nothing else touched).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_document_storage"
down_revision = "0008_refund_lines"
branch_labels = None
depends_on = None

GUARD = """
CREATE FUNCTION billing_document_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.storage_key IS NULL AND NEW.storage_key IS NOT NULL AND NEW.content IS NULL
     AND (NEW.id, NEW.tenant_id, NEW.customer_id, NEW.invoice_id, NEW.variant, NEW.filename, NEW.mime,
          NEW.sha256, NEW.created_at)
         IS NOT DISTINCT FROM (OLD.id, OLD.tenant_id, OLD.customer_id, OLD.invoice_id, OLD.variant,
          OLD.filename, OLD.mime, OLD.sha256, OLD.created_at) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'billing_documents is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def upgrade():
    op.add_column("billing_documents", sa.Column("storage_key", sa.String(300)))
    op.alter_column("billing_documents", "content", nullable=True)
    op.create_check_constraint("billing_documents_content_or_key", "billing_documents",
                               "(content IS NULL) <> (storage_key IS NULL)")
    op.execute("DROP TRIGGER billing_documents_append_only ON billing_documents")
    op.execute(GUARD)
    op.execute("CREATE TRIGGER billing_documents_append_only BEFORE UPDATE OR DELETE ON billing_documents "
               "FOR EACH ROW EXECUTE FUNCTION billing_document_guard()")


def downgrade():
    # Refuses (NOT NULL fails) while documents live in storage: bring their bytes back first.
    op.execute("DROP TRIGGER billing_documents_append_only ON billing_documents")
    op.execute("DROP FUNCTION billing_document_guard()")
    op.execute("CREATE TRIGGER billing_documents_append_only BEFORE UPDATE OR DELETE ON billing_documents "
               "FOR EACH ROW EXECUTE FUNCTION mpanel_refuse_change()")
    op.drop_constraint("billing_documents_content_or_key", "billing_documents")
    op.alter_column("billing_documents", "content", nullable=False)
    op.drop_column("billing_documents", "storage_key")
