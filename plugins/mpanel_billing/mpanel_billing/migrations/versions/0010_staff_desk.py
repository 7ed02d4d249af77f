"""billing staff desk: the day a manual payment was received; orders held for review

Revision ID: 0010_staff_desk
Revises: 0009_document_storage

``received_on`` is the date staff give for a bank transfer, cash or cheque (NULL for
payments a gateway reports: their created_at is the day). ``review`` is NULL for an
order nobody holds, else held, approved or rejected (the tenant's review settings).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_staff_desk"
down_revision = "0009_document_storage"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("billing_payments", sa.Column("received_on", sa.Date()))
    op.add_column("billing_orders", sa.Column("review", sa.String(16)))
    op.add_column("billing_orders", sa.Column("review_reason", sa.String(200)))
    op.create_check_constraint("billing_orders_review", "billing_orders",
                               "review IS NULL OR review IN ('held', 'approved', 'rejected')")


def downgrade():
    op.drop_constraint("billing_orders_review", "billing_orders", type_="check")
    op.drop_column("billing_orders", "review_reason")
    op.drop_column("billing_orders", "review")
    op.drop_column("billing_payments", "received_on")
