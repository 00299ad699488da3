"""A claim 市科技局 returns with a reason (status ``returned``, ``returned_at``,
``return_reason``), and the top-ups a refunded recovery owes when a later approval raises the
pool's share of its loan (``refund_top_ups``, C7).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("filed", "reviewed", "approved")


def _statuses(values: Sequence[str]) -> str:
    return "status IN ({})".format(", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint("claim_status", type_="check")
        batch.create_check_constraint("claim_status", _statuses([*STATUSES, "returned"]))
        batch.add_column(sa.Column("returned_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("return_reason", sa.String(length=500), nullable=True))
    op.create_table(
        "refund_top_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recovery_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("refunded_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recovery_id"],
            ["recoveries.id"],
            name=op.f("fk_refund_top_ups_recovery_id_recoveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_top_ups")),
    )
    with op.batch_alter_table("refund_top_ups") as batch:
        batch.create_index(batch.f("ix_refund_top_ups_recovery_id"), ["recovery_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refund_top_ups") as batch:
        batch.drop_index(batch.f("ix_refund_top_ups_recovery_id"))
    op.drop_table("refund_top_ups")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("return_reason")
        batch.drop_column("returned_at")
        batch.drop_constraint("claim_status", type_="check")
        batch.create_check_constraint("claim_status", _statuses(STATUSES))
