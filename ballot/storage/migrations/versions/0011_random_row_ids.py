"""Issuance, credential and ballot rows get random ids, never in arrival order, so the order
of ids links no issuance to a credential or a ballot (docs/threat-model.md). On PostgreSQL the
columns become BIGINT and lose their sequence default (the application draws each id); on
SQLite the INTEGER key is already 64-bit and nothing changes. There is no downgrade (the ids
no longer fit INTEGER): restore a backup taken before the upgrade.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE ballots ALTER COLUMN credential_id TYPE BIGINT")
    for table in ("issuances", "credentials", "ballots"):
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id TYPE BIGINT")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT")


def downgrade() -> None:
    # Random ids do not fit INTEGER, and the order they replaced is gone: not reversible.
    raise NotImplementedError(
        "migration 0011 cannot be undone: issuance, credential and ballot ids are random 62-bit "
        "numbers now; restore a backup taken before the upgrade instead"
    )
