"""Issuance, credential and ballot rows get random ids, never in arrival order, so the order
of ids links no issuance to a credential or a ballot (docs/threat-model.md). On PostgreSQL the
columns become BIGINT and lose their sequence default (the application draws each id); on
SQLite the INTEGER key is already 64-bit and nothing changes.

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
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("issuances", "credentials", "ballots"):
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id TYPE INTEGER")
    op.execute("ALTER TABLE ballots ALTER COLUMN credential_id TYPE INTEGER")
