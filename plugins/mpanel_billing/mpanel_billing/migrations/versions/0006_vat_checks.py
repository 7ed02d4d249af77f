"""billing VAT checks: the last VIES answer per customer and VAT id, and failed attempts to retry

Revision ID: 0006_vat_checks
Revises: 0005_order_line_positions
"""

import sqlalchemy as sa
from alembic import op

from mpanel.core import rls

revision = "0006_vat_checks"
down_revision = "0005_order_line_positions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "billing_vat_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("vat_id", sa.String(20), nullable=False),
        sa.Column("valid", sa.Boolean()),
        sa.Column("checked_at", sa.DateTime(timezone=True)),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text()),
        sa.UniqueConstraint("tenant_id", "customer_id", "vat_id"),
    )
    rls.enable_rls(op, "billing_vat_checks", customer_column="customer_id")


def downgrade():
    op.drop_table("billing_vat_checks")
