"""payments: gateway transactions, their invoices, saved payment methods, charge attempts, webhook events

Revision ID: 0003_payments
Revises: 0002_services
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0003_payments"
down_revision = "0002_services"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 4)
CUSTOMER_TABLES = ["billing_payment_methods", "billing_transactions", "billing_transaction_invoices",
                   "billing_charge_attempts"]


def _tenant():
    return sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def _customer():
    return sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def _ref(name, table, nullable=True, ondelete="RESTRICT", **kwargs):
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, **kwargs)


def _stamp(name):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade():
    op.create_table(
        "billing_payment_methods",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        sa.Column("gateway", sa.String(64), nullable=False),
        sa.Column("provider_id", sa.String(200), nullable=False),
        sa.Column("provider_customer_id", sa.String(200)),
        sa.Column("test_mode", sa.Boolean(), nullable=False),
        sa.Column("brand", sa.String(32), nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("exp_month", sa.SmallInteger()),
        sa.Column("exp_year", sa.SmallInteger()),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        _stamp("created_at"),
        sa.UniqueConstraint("tenant_id", "gateway", "provider_id"),
        sa.CheckConstraint("NOT (is_default AND removed_at IS NOT NULL)"),
    )
    op.create_index("billing_payment_methods_one_default", "billing_payment_methods", ["tenant_id", "customer_id"],
                    unique=True, postgresql_where=sa.text("is_default AND removed_at IS NULL"))
    op.create_table(
        "billing_transactions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        sa.Column("gateway", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("fee", MONEY),
        sa.Column("provider_id", sa.String(200)),
        _ref("invoice_id", "billing_invoices", index=True),
        _ref("parent_id", "billing_transactions", index=True),
        _ref("payment_id", "billing_payments"),
        _ref("method_id", "billing_payment_methods"),
        sa.Column("off_session", sa.Boolean(), nullable=False),
        sa.Column("save_method", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(500)),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.UniqueConstraint("tenant_id", "gateway", "kind", "provider_id"),
        sa.CheckConstraint("amount > 0 AND (fee IS NULL OR fee >= 0)"),
        sa.CheckConstraint("kind IN ('payment', 'refund', 'chargeback', 'dispute_won')"),
        sa.CheckConstraint("status IN ('pending', 'requires_action', 'succeeded', 'failed', 'canceled')"),
        sa.CheckConstraint("(kind = 'payment') = (parent_id IS NULL)"),
    )
    op.create_table(
        "billing_transaction_invoices",
        _tenant(),
        _customer(),
        _ref("transaction_id", "billing_transactions", nullable=False, ondelete="CASCADE", primary_key=True),
        _ref("invoice_id", "billing_invoices", nullable=False, primary_key=True, index=True),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.CheckConstraint("amount > 0"),
    )
    op.create_table(
        "billing_charge_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        _ref("invoice_id", "billing_invoices", nullable=False, index=True),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), index=True),
        _ref("method_id", "billing_payment_methods"),
        _ref("transaction_id", "billing_transactions", unique=True),
        sa.Column("error", sa.String(500)),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.UniqueConstraint("invoice_id", "number"),
        sa.CheckConstraint("number > 0"),
        sa.CheckConstraint("status IN ('scheduled', 'processing', 'declined', 'action_required', 'gave_up', "
                           "'succeeded', 'cancelled')"),
        sa.CheckConstraint("status NOT IN ('scheduled', 'processing') OR next_attempt_at IS NOT NULL"),
    )
    # One attempt in flight per invoice: two billing runs cannot both charge it.
    op.create_index("billing_charge_attempts_one_active", "billing_charge_attempts", ["invoice_id"], unique=True,
                    postgresql_where=sa.text("status IN ('scheduled', 'processing')"))
    op.create_table(
        "billing_gateway_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("gateway", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("outcome", sa.Text()),
        _stamp("received_at"),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("tenant_id", "gateway", "event_id"),
    )
    for table in CUSTOMER_TABLES:
        rls.enable_rls(op, table, customer_column="customer_id")
    rls.enable_rls(op, "billing_gateway_events")


def downgrade():
    op.drop_table("billing_gateway_events")
    op.drop_table("billing_charge_attempts")
    op.drop_table("billing_transaction_invoices")
    op.drop_table("billing_transactions")
    op.drop_table("billing_payment_methods")
