"""billing invoice lines: a negative quantity is a refund line (EN 16931 allows negative lines)

Revision ID: 0008_refund_lines
Revises: 0007_tax_currency
"""

from alembic import op

revision = "0008_refund_lines"
down_revision = "0007_tax_currency"
branch_labels = None
depends_on = None

# 0001 made the check unnamed; find it by what it says.
DROP = """
DO $$ DECLARE name text; BEGIN
  SELECT conname INTO name FROM pg_constraint
   WHERE conrelid = 'billing_invoice_lines'::regclass AND contype = 'c'
     AND pg_get_constraintdef(oid) LIKE '%quantity > (0)%';
  EXECUTE format('ALTER TABLE billing_invoice_lines DROP CONSTRAINT %I', name);
END $$;
"""


def upgrade():
    op.execute(DROP)
    op.create_check_constraint("billing_invoice_lines_amounts", "billing_invoice_lines",
                               "quantity <> 0 AND unit_price >= 0 AND tax_rate >= 0")


def downgrade():
    op.drop_constraint("billing_invoice_lines_amounts", "billing_invoice_lines", type_="check")
    op.create_check_constraint("billing_invoice_lines_check", "billing_invoice_lines",
                               "quantity > 0 AND unit_price >= 0 AND tax_rate >= 0")
