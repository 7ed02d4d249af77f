"""billing order lines: the positions of a domain's lines on the order's invoice

Revision ID: 0005_order_line_positions
Revises: 0004_mail_templates
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_order_line_positions"
down_revision = "0004_mail_templates"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("billing_order_lines", sa.Column("line_positions", postgresql.ARRAY(sa.SmallInteger())))


def downgrade():
    op.drop_column("billing_order_lines", "line_positions")
