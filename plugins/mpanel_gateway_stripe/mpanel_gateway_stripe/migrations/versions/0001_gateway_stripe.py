"""gateway_stripe: Stripe customers of MPanel customers

Revision ID: 0001_gateway_stripe
Revises:
"""

import sqlalchemy as sa
from alembic import op

from mpanel.core import rls

revision = "0001_gateway_stripe"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gateway_stripe_customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("stripe_id", sa.String(100), nullable=False, index=True),
        sa.Column("setup_intent_id", sa.String(100)),
        sa.Column("setups", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "customer_id", "livemode"),
    )
    rls.enable_rls(op, "gateway_stripe_customers", customer_column="customer_id")


def downgrade():
    op.drop_table("gateway_stripe_customers")
