"""billing invoices: the VAT in the seller's national currency (art. 230 VAT directive, BT-6/BT-111)

Revision ID: 0007_tax_currency
Revises: 0006_vat_checks
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_tax_currency"
down_revision = "0006_vat_checks"
branch_labels = None
depends_on = None

# Frozen once issued, like the columns billing_invoice_guard() covers.
GUARD = """
CREATE FUNCTION billing_invoice_tax_currency_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' AND (NEW.tax_currency, NEW.tax_currency_rate, NEW.tax_currency_tax)
      IS DISTINCT FROM (OLD.tax_currency, OLD.tax_currency_rate, OLD.tax_currency_tax) THEN
    RAISE EXCEPTION 'invoice % is issued: it cannot be changed (issue a credit note)', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER billing_invoice_tax_currency_guard BEFORE UPDATE ON billing_invoices
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_tax_currency_guard();
"""


def upgrade():
    op.add_column("billing_invoices", sa.Column("tax_currency", sa.String(3)))
    op.add_column("billing_invoices", sa.Column("tax_currency_rate", sa.Numeric(20, 10)))
    op.add_column("billing_invoices", sa.Column("tax_currency_tax", sa.Numeric(20, 4)))
    op.execute(GUARD)


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS billing_invoice_tax_currency_guard ON billing_invoices;"
               "DROP FUNCTION IF EXISTS billing_invoice_tax_currency_guard();")
    for column in ("tax_currency_tax", "tax_currency_rate", "tax_currency"):
        op.drop_column("billing_invoices", column)
