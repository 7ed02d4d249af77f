"""billing services: orders, order lines, services, billed periods, dunning consequences

Revision ID: 0002_services
Revises: 0001_billing
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0002_services"
down_revision = "0001_billing"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(20, 4)
TABLES = ["billing_orders", "billing_services", "billing_order_lines", "billing_service_periods",
          "billing_service_dunning"]


def _common():
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
    ]


def _fk(name, table, nullable=True, ondelete="RESTRICT"):
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable,
                     index=True)


def _created():
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade():
    op.create_table(
        "billing_orders", *_common(),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("coupon", sa.String(64)),
        _fk("invoice_id", "billing_invoices"),
        _created(),
    )
    op.create_table(
        "billing_services", *_common(),
        sa.Column("product_id", sa.Integer(), nullable=False, index=True),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("cycle", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("recurring_amount", MONEY, nullable=False),
        sa.Column("tax_class", sa.String(16), nullable=False),
        sa.Column("options", postgresql.JSONB(), nullable=False),
        sa.Column("addons", postgresql.JSONB(), nullable=False),
        sa.Column("coupon", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=False),
        sa.Column("periods_billed", sa.Integer(), nullable=False),
        sa.Column("next_due_date", sa.Date(), index=True),
        sa.Column("cancel_at", sa.Date()),
        sa.Column("pending_change", postgresql.JSONB()),
        sa.Column("status_changed_at", sa.DateTime(timezone=True)),
        _created(),
        sa.CheckConstraint("status IN ('pending', 'active', 'suspended', 'terminated', 'cancelled', 'fraud')"),
        sa.CheckConstraint("recurring_amount >= 0 AND periods_billed >= 0"),
    )
    # The billing run's scan: active services of a tenant by due date.
    op.create_index("ix_billing_services_due", "billing_services", ["tenant_id", "status", "next_due_date"])
    op.create_table(
        "billing_order_lines", *_common(),
        _fk("order_id", "billing_orders", nullable=False, ondelete="CASCADE"),
        _fk("service_id", "billing_services"),
        sa.Column("domain_id", sa.Integer(), index=True),
        sa.Column("domain_action", sa.String(16)),
        sa.Column("years", sa.SmallInteger()),
        sa.CheckConstraint("(service_id IS NULL) <> (domain_id IS NULL)"),
    )
    op.create_table(
        "billing_service_periods", *_common(),
        _fk("service_id", "billing_services", nullable=False, ondelete="CASCADE"),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        _fk("invoice_id", "billing_invoices", nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.UniqueConstraint("service_id", "period_start"),
        sa.CheckConstraint("period_end >= period_start"),
    )
    op.create_table(
        "billing_service_dunning", *_common(),
        _fk("service_id", "billing_services", nullable=False, ondelete="CASCADE"),
        _fk("invoice_id", "billing_invoices", nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        _created(),
        sa.UniqueConstraint("service_id", "invoice_id", "action"),
        sa.CheckConstraint("action IN ('suspend', 'terminate')"),
    )
    for table in TABLES:
        rls.enable_rls(op, table, customer_column="customer_id")
    for table in ("billing_service_periods", "billing_service_dunning"):
        rls.make_append_only(op, table)


def downgrade():
    for table in reversed(TABLES):
        op.drop_table(table)
