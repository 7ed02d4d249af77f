"""provisioning: server groups, servers, service accounts, actions

Revision ID: 0001_provisioning
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0001_provisioning"
down_revision = None
branch_labels = None
depends_on = None


def _tenant():
    return sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def _customer():
    return sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"),
                     nullable=False, index=True)


def _service():
    return sa.Column("service_id", sa.Integer(), sa.ForeignKey("billing_services.id", ondelete="CASCADE"),
                     nullable=False, index=True)


def upgrade():
    op.create_table(
        "provisioning_server_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("module", sa.String(64), nullable=False),
        sa.Column("fill_strategy", sa.String(16), nullable=False),
        sa.UniqueConstraint("tenant_id", "name"),
        sa.CheckConstraint("fill_strategy IN ('least_full', 'in_order')", name="fill_strategy"),
    )
    op.create_table(
        "provisioning_servers",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("provisioning_server_groups.id", ondelete="RESTRICT"),
                  nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("secure", sa.Boolean(), nullable=False),
        sa.Column("verify_tls", sa.Boolean(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("max_accounts", sa.Integer()),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_test_at", sa.DateTime(timezone=True)),
        sa.Column("last_test_result", sa.String(500)),
        sa.UniqueConstraint("tenant_id", "name"),
        sa.CheckConstraint("port BETWEEN 1 AND 65535", name="port"),
        sa.CheckConstraint("max_accounts IS NULL OR max_accounts >= 0", name="max_accounts"),
    )
    op.create_table(
        "provisioning_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        _service(),
        sa.Column("server_id", sa.Integer(), sa.ForeignKey("provisioning_servers.id", ondelete="RESTRICT"),
                  nullable=False, index=True),
        sa.Column("module", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("domain", sa.String(255)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("details", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "service_id"),
        sa.UniqueConstraint("server_id", "username"),
        sa.CheckConstraint("status IN ('pending', 'active', 'suspended', 'terminated')", name="status"),
    )
    op.create_table(
        "provisioning_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        _customer(),
        _service(),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("provisioning_accounts.id", ondelete="CASCADE"),
                  index=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("params", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("message", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'resolved')", name="status"),
        sa.CheckConstraint("action IN ('create', 'suspend', 'unsuspend', 'terminate', 'change_package', "
                           "'change_password')", name="action"),
    )
    for table in ("provisioning_server_groups", "provisioning_servers"):
        rls.enable_rls(op, table)
    for table in ("provisioning_accounts", "provisioning_actions"):
        rls.enable_rls(op, table, customer_column="customer_id")


def downgrade():
    for table in ("provisioning_actions", "provisioning_accounts", "provisioning_servers",
                  "provisioning_server_groups"):
        rls.disable_rls(op, table)
        op.drop_table(table)
