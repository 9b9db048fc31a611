"""Remember the SHA-256 of the blinded request an issuance answered, so a retried request
(its answer lost on the way) is answered again instead of refused.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issuances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issuances", schema=None) as batch_op:
        batch_op.drop_column("request")
