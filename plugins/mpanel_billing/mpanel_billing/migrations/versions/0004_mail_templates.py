"""billing mail templates: tenant-edited mail texts per kind and language

Revision ID: 0004_mail_templates
Revises: 0003_payments
"""

import sqlalchemy as sa
from alembic import op

from mpanel.core import rls

revision = "0004_mail_templates"
down_revision = "0003_payments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "billing_mail_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False, server_default=""),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("tenant_id", "kind", "language"),
    )
    rls.enable_rls(op, "billing_mail_templates")


def downgrade():
    op.drop_table("billing_mail_templates")
