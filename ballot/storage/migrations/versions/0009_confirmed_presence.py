"""Confirmed presence: beside the chair's check-in, what the member's own device last signed
about being in the room (docs/PROTOCOL.md §14 `presence`): how many presence statements it has
signed in the meeting, the last one's state and signature, and whether that "present" came
after the latest check-in (only such members count towards the quorum).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("statements", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("last_state", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("last_signature", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_column("confirmed")
        batch_op.drop_column("last_signature")
        batch_op.drop_column("last_state")
        batch_op.drop_column("statements")
