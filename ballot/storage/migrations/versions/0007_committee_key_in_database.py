"""Keep each meeting's committee signing key sealed in the database (under the server secret),
as the issuer key already is, instead of in the keys/ folder: several app servers on one
database then need only the same BALLOT_SERVER_SECRET, nothing shared on disk. Meetings opened
before keep their key in keys/, where the server still looks for it.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committee_key_sealed", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("committee_key_sealed")
