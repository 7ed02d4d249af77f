"""gateway_bank: imported bank statements and their lines

Revision ID: 0001_gateway_bank
Revises:
"""

import sqlalchemy as sa
from alembic import op

from mpanel.core import rls

revision = "0001_gateway_bank"
down_revision = None
branch_labels = None
depends_on = None


def _tenant():
    return sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def upgrade():
    op.create_table(
        "gateway_bank_statements",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "sha256"),
    )
    op.create_table(
        "gateway_bank_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("statement_id", sa.Integer(), sa.ForeignKey("gateway_bank_statements.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("bank_ref", sa.String(200), nullable=False),
        sa.Column("booked_on", sa.Date()),
        sa.Column("amount", sa.Numeric(20, 4), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("remittance", sa.Text(), nullable=False),
        sa.Column("debtor_name", sa.String(200), nullable=False),
        sa.Column("debtor_iban", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("billing_invoices.id", ondelete="RESTRICT"), index=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("billing_payments.id", ondelete="RESTRICT")),
        sa.UniqueConstraint("tenant_id", "bank_ref"),
        sa.CheckConstraint("amount > 0 AND status IN ('matched', 'unmatched', 'ignored')"),
        sa.CheckConstraint("status <> 'matched' OR payment_id IS NOT NULL"),
    )
    for table in ("gateway_bank_statements", "gateway_bank_lines"):
        rls.enable_rls(op, table)


def downgrade():
    op.drop_table("gateway_bank_lines")
    op.drop_table("gateway_bank_statements")
