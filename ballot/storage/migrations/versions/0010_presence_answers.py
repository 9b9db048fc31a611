"""Presence answers a check-in: the hash of the chair's latest check-in (or check-out) event of
each member, which the member's device signs into its presence statement (docs/PROTOCOL.md §14),
so a statement answers that check-in only.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answers", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_column("answers")
