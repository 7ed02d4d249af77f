"""billing tables: invoices, lines, taxes, ledger, payments, documents, dunning, tax rules, number series

Revision ID: 0001_billing
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0001_billing"
down_revision = None
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 4)
RATE = sa.Numeric(7, 4)
CUSTOMER_TABLES = ["billing_invoices", "billing_invoice_lines", "billing_invoice_taxes", "billing_accounts",
                   "billing_payments", "billing_ledger_entries", "billing_documents", "billing_dunning_steps"]
TENANT_TABLES = ["billing_tax_rules", "billing_number_series"]
APPEND_ONLY = ["billing_payments", "billing_ledger_entries", "billing_documents", "billing_dunning_steps"]

# An issued document is frozen: only its payment state may change, and its
# legal number once (when a proforma is paid). Lines and taxes of an issued
# document cannot be added, changed or removed. This holds for every role,
# whatever the ORM does.
GUARDS = """
CREATE FUNCTION billing_invoice_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'invoice % is issued and cannot be deleted', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'draft' THEN
    RETURN NEW;
  END IF;
  IF NEW.status = 'draft'
     OR (NEW.tenant_id, NEW.customer_id, NEW.kind, NEW.currency, NEW.rounding, NEW.language, NEW.seller, NEW.buyer,
         NEW.notes, NEW.exemption_reasons, NEW.net_total, NEW.tax_total, NEW.total, NEW.due_date,
         NEW.credited_invoice_id, NEW.late_fee_for_id, NEW.issued_at, NEW.created_at)
        IS DISTINCT FROM
        (OLD.tenant_id, OLD.customer_id, OLD.kind, OLD.currency, OLD.rounding, OLD.language, OLD.seller, OLD.buyer,
         OLD.notes, OLD.exemption_reasons, OLD.net_total, OLD.tax_total, OLD.total, OLD.due_date,
         OLD.credited_invoice_id, OLD.late_fee_for_id, OLD.issued_at, OLD.created_at)
     OR (OLD.proforma_number IS NOT NULL AND NEW.proforma_number IS DISTINCT FROM OLD.proforma_number)
     OR (OLD.number IS NOT NULL
         AND (NEW.number, NEW.number_seq, NEW.issue_date) IS DISTINCT FROM (OLD.number, OLD.number_seq, OLD.issue_date))
     OR (OLD.number IS NULL AND OLD.proforma_number IS NULL AND NEW.number IS NOT NULL)
  THEN
    RAISE EXCEPTION 'invoice % is issued: it cannot be changed (issue a credit note)', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION billing_invoice_child_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_status text;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT status INTO parent_status FROM billing_invoices WHERE id = OLD.invoice_id;
    -- A missing parent is a draft being deleted (issued ones cannot be).
    IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
      RAISE EXCEPTION 'invoice % is issued: % cannot be changed', OLD.invoice_id, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT status INTO parent_status FROM billing_invoices WHERE id = NEW.invoice_id;
    IF parent_status IS DISTINCT FROM 'draft' THEN
      RAISE EXCEPTION 'invoice % is not a draft of this tenant: % cannot be added', NEW.invoice_id, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER billing_invoices_frozen BEFORE UPDATE OR DELETE ON billing_invoices
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_guard();
CREATE TRIGGER billing_invoice_lines_frozen BEFORE INSERT OR UPDATE OR DELETE ON billing_invoice_lines
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_child_guard();
CREATE TRIGGER billing_invoice_taxes_frozen BEFORE INSERT OR UPDATE OR DELETE ON billing_invoice_taxes
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_child_guard();
"""


def _tenant():
    return sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def _customer():
    return sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def _invoice(name="invoice_id", nullable=False, ondelete="RESTRICT", **kwargs):
    return sa.Column(name, sa.Integer(), sa.ForeignKey("billing_invoices.id", ondelete=ondelete), nullable=nullable,
                     **kwargs)


def _created():
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade():
    op.create_table(
        "billing_tax_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("region", sa.String(100)),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("rate", RATE, nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("compound", sa.Boolean(), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("category IN ('standard', 'reduced', 'zero', 'exempt', 'reverse_charge')"),
        sa.CheckConstraint("level IN (1, 2) AND rate >= 0 AND (level = 2 OR NOT compound)"),
    )
    op.create_table(
        "billing_number_series",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("series", sa.String(16), nullable=False),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("reset_yearly", sa.Boolean(), nullable=False),
        sa.Column("year", sa.Integer()),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_date", sa.Date()),
        sa.UniqueConstraint("tenant_id", "series"),
        sa.CheckConstraint("series IN ('invoice', 'credit_note', 'proforma') AND last_seq >= 0"),
    )
    op.create_table(
        "billing_invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("number", sa.String(64)),
        sa.Column("number_seq", sa.Integer()),
        sa.Column("proforma_number", sa.String(64)),
        sa.Column("issue_date", sa.Date()),
        sa.Column("due_date", sa.Date(), index=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rounding", sa.String(16), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("seller", postgresql.JSONB()),
        sa.Column("buyer", postgresql.JSONB()),
        sa.Column("notes", sa.Text()),
        sa.Column("exemption_reasons", postgresql.JSONB(), nullable=False),
        sa.Column("net_total", MONEY, nullable=False),
        sa.Column("tax_total", MONEY, nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("amount_paid", MONEY, nullable=False),
        sa.Column("amount_credited", MONEY, nullable=False),
        _invoice("credited_invoice_id", nullable=True, index=True),
        _invoice("late_fee_for_id", nullable=True, unique=True),
        sa.Column("issued_at", sa.DateTime(timezone=True)),
        sa.Column("paid_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        _created(),
        sa.UniqueConstraint("tenant_id", "number"),
        sa.UniqueConstraint("tenant_id", "proforma_number"),
        sa.CheckConstraint("kind IN ('invoice', 'credit_note')"),
        sa.CheckConstraint("status IN ('draft', 'unpaid', 'partially_paid', 'paid', 'overdue', 'cancelled', "
                           "'refunded', 'issued')"),
        sa.CheckConstraint("rounding IN ('en16931', 'keep_gross')"),
        sa.CheckConstraint("amount_paid >= 0 AND amount_credited >= 0"),
        # Issued documents (issued_at set): a total that is not negative, never overpaid, and numbered.
        sa.CheckConstraint("issued_at IS NULL OR (total >= 0 AND amount_paid + amount_credited <= total)"),
        sa.CheckConstraint("issued_at IS NULL OR number IS NOT NULL OR proforma_number IS NOT NULL"),
        sa.CheckConstraint("(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)"),
    )
    op.create_table(
        "billing_invoice_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        _invoice(ondelete="CASCADE", index=True),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("period_start", sa.Date()),
        sa.Column("period_end", sa.Date()),
        sa.Column("quantity", sa.Numeric(20, 4), nullable=False),
        sa.Column("unit_code", sa.String(3), nullable=False),
        sa.Column("unit_price", sa.Numeric(24, 8), nullable=False),
        sa.Column("discount", MONEY, nullable=False),
        sa.Column("discount_reason", sa.String(200)),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("price_tax_rate", RATE),
        sa.Column("tax_class", sa.String(16), nullable=False),
        sa.Column("tax_category", sa.String(2), nullable=False),
        sa.Column("tax_rate", RATE, nullable=False),
        sa.Column("tax_name", sa.String(100)),
        sa.Column("tax2_name", sa.String(100)),
        sa.Column("tax2_rate", RATE),
        sa.Column("tax2_compound", sa.Boolean(), nullable=False),
        sa.Column("net_amount", MONEY, nullable=False),
        sa.Column("gross_amount", MONEY),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("credited_line_id", sa.Integer(), sa.ForeignKey("billing_invoice_lines.id", ondelete="RESTRICT"),
                  index=True),
        sa.CheckConstraint("quantity > 0 AND unit_price >= 0 AND tax_rate >= 0"),
        sa.CheckConstraint("prices_include_tax = (price_tax_rate IS NOT NULL)"),
        sa.CheckConstraint("period_end IS NULL OR period_start IS NULL OR period_end >= period_start"),
    )
    op.create_table(
        "billing_invoice_taxes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        _invoice(ondelete="CASCADE", index=True),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("category", sa.String(2), nullable=False),
        sa.Column("rate", RATE, nullable=False),
        sa.Column("taxable", MONEY, nullable=False),
        sa.Column("tax", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )
    op.create_table(
        "billing_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("credit", MONEY, nullable=False),
        sa.UniqueConstraint("tenant_id", "customer_id", "currency"),
        sa.CheckConstraint("credit >= 0"),
    )
    op.create_table(
        "billing_payments",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        sa.Column("kind", sa.String(16), nullable=False),
        _invoice(nullable=True, index=True),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("provider_txn_id", sa.String(200), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("memo", sa.String(200)),
        _created(),
        sa.UniqueConstraint("tenant_id", "provider", "provider_txn_id"),
        sa.CheckConstraint("amount > 0 AND kind IN ('payment', 'refund')"),
    )
    op.create_table(
        "billing_ledger_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        sa.Column("kind", sa.String(16), nullable=False),
        _invoice(nullable=True, index=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("billing_payments.id", ondelete="RESTRICT"), index=True),
        _invoice("document_id", nullable=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("memo", sa.String(200)),
        _created(),
        sa.CheckConstraint("kind IN ('invoice', 'fee', 'payment', 'refund', 'credit_applied', 'credit_note', "
                           "'cancellation')"),
    )
    op.create_table(
        "billing_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        _invoice(index=True),
        sa.Column("variant", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        _created(),
        sa.UniqueConstraint("invoice_id", "variant"),
    )
    op.create_table(
        "billing_dunning_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        _invoice(index=True),
        sa.Column("step", sa.String(32), nullable=False),
        _created(),
        sa.UniqueConstraint("invoice_id", "step"),
    )
    for table in TENANT_TABLES:
        rls.enable_rls(op, table)
    for table in CUSTOMER_TABLES:
        rls.enable_rls(op, table, customer_column="customer_id")
    for table in APPEND_ONLY:
        rls.make_append_only(op, table)
    op.execute(GUARDS)


def downgrade():
    for table in reversed(["billing_tax_rules", "billing_number_series", *CUSTOMER_TABLES]):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS billing_invoice_child_guard(); DROP FUNCTION IF EXISTS billing_invoice_guard();")
