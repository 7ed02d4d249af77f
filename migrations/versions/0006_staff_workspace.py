"""staff workspace: internal notes on customers, for staff only

Revision ID: 0006_staff_workspace
Revises: 0005_rls_once_per_query
Create Date: 2026-12-02 15:00:00

The policy admits the tenant's rows only while no customer is in scope: the client
area (a customer scope) never sees a note, whatever it queries.
"""
import sqlalchemy as sa
from alembic import op

from mpanel.core import rls

revision = "0006_staff_workspace"
down_revision = "0005_rls_once_per_query"
branch_labels = None
depends_on = None

STAFF_ONLY = f"tenant_id = {rls.CURRENT_TENANT} AND {rls.CURRENT_CUSTOMER} IS NULL"


def upgrade():
    op.create_table(
        "customer_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )
    op.execute('ALTER TABLE "customer_notes" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "customer_notes" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "customer_notes" USING ({STAFF_ONLY}) WITH CHECK ({STAFF_ONLY})')


def downgrade():
    op.drop_table("customer_notes")
