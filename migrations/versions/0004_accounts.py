"""accounts: e-mail verification on users, customers' owner contacts, customers' acceptance of terms and privacy texts

Revision ID: 0004_accounts
Revises: 0003_outbox_delivery
Create Date: 2026-12-02 04:30:00

"""
import sqlalchemy as sa
from alembic import op

from mpanel.core import rls

revision = "0004_accounts"
down_revision = "0003_outbox_delivery"
branch_labels = None
depends_on = None


def upgrade():
    # Existing users count as verified; a sign-up starts unverified.
    op.add_column("ab_user", sa.Column("email_verified", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("ab_user", sa.Column("pending_email", sa.String(320)))
    op.add_column("ab_user", sa.Column("contact_owner", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "customer_consents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("ip", sa.String(45)),
    )
    rls.enable_rls(op, "customer_consents", customer_column="customer_id")


def downgrade():
    op.drop_table("customer_consents")
    op.drop_column("ab_user", "contact_owner")
    op.drop_column("ab_user", "pending_email")
    op.drop_column("ab_user", "email_verified")
