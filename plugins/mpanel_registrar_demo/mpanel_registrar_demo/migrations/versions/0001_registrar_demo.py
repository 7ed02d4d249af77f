"""registrar_demo: the sandbox registry

Revision ID: 0001_registrar_demo
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0001_registrar_demo"
down_revision = None
branch_labels = None
depends_on = None


def _tenant():
    return sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def upgrade():
    op.create_table(
        "registrar_demo_registrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(253), nullable=False),
        sa.Column("expires_at", sa.Date(), nullable=False),
        sa.Column("nameservers", postgresql.ARRAY(sa.String(253)), nullable=False, server_default="{}"),
        sa.Column("contacts", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("locked", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("id_protection", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("auth_code", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "name", name="uq_registrar_demo_registrations_name"),
    )
    rls.enable_rls(op, "registrar_demo_registrations")
    op.create_table(
        "registrar_demo_contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("data", postgresql.JSONB(), nullable=False),
    )
    rls.enable_rls(op, "registrar_demo_contacts")


def downgrade():
    op.drop_table("registrar_demo_contacts")
    op.drop_table("registrar_demo_registrations")
