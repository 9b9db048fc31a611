"""Remember which tier's candidate list names a candidate, where a regulation gives each tier its
own list (重庆 第十六条(六)2, 江阴 第十五条): a nominee-list organisation is never on the award
ballot. Null where one slate serves every tier, as for every meeting made before.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("list_tier", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("list_tier")
