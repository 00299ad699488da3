"""The ranking stored on each bid: place, accepted, rank score and reason.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("accepted", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("rank_score", sa.Numeric(precision=14, scale=6), nullable=True)
        )
        batch_op.add_column(sa.Column("rank_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.drop_column("rank_reason")
        batch_op.drop_column("rank_score")
        batch_op.drop_column("accepted")
        batch_op.drop_column("place")
