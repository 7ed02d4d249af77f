"""outbox delivery: priorities (mail before documents) and a resend time

Revision ID: 0003_outbox_delivery
Revises: 0002_security
Create Date: 2026-12-02 04:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0003_outbox_delivery"
down_revision = "0002_security"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox", sa.Column("priority", sa.SmallInteger(), server_default="0", nullable=False))
    op.add_column("outbox", sa.Column("retry_from", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_due", "outbox", ["tenant_id", "status", sa.text("priority DESC"), "id"])


def downgrade():
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_column("outbox", "retry_from")
    op.drop_column("outbox", "priority")
