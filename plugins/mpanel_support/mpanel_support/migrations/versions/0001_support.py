"""support: departments, tickets, messages, canned replies

Revision ID: 0001_support
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0001_support"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = ("open", "answered", "customer_reply", "on_hold", "closed")
PRIORITIES = ("low", "medium", "high", "urgent")
VISIBILITIES = ("public", "customers", "staff")


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _tenant():
    return sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def upgrade():
    op.create_table(
        "support_departments",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("auto_reply", sa.Text()),
        sa.CheckConstraint(_one_of("visibility", VISIBILITIES), name="support_departments_visibility"),
    )
    rls.enable_rls(op, "support_departments")

    op.create_table(
        "support_tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("support_departments.id", ondelete="RESTRICT"),
                  nullable=False, index=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="SET NULL")),
        sa.Column("tags", postgresql.ARRAY(sa.String(50)), nullable=False, server_default="{}"),
        sa.Column("related", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(_one_of("status", STATUSES), name="support_tickets_status"),
        sa.CheckConstraint(_one_of("priority", PRIORITIES), name="support_tickets_priority"),
    )
    rls.enable_rls(op, "support_tickets", customer_column="customer_id")

    op.create_table(
        "support_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("support_tickets.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="SET NULL")),
        sa.Column("from_staff", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("internal", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    rls.enable_rls(op, "support_messages")

    op.create_table(
        "support_canned_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    rls.enable_rls(op, "support_canned_replies")


def downgrade():
    for table in ("support_canned_replies", "support_messages", "support_tickets", "support_departments"):
        rls.disable_rls(op, table)
        op.drop_table(table)
