"""Drop the indexes on ``bids.event_id`` and ``awards.event_id``: each table's unique
(event_id, participant_id) constraint has an index that leads with ``event_id`` and serves
every query by event (one event's bids or awards, the joins on it) as well.

Each index was kept up to date for nothing on every write: the ranking's insert of the
awards, and its UPDATE of an invitation's bids wherever a bid's new version does not fit on its
page (then every index of the table gets a new entry; every bid before migration 0013).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("bids", "awards")


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_event_id", table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_event_id", table, ["event_id"], unique=False)
