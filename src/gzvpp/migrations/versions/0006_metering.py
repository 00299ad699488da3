"""The metering identity (role ``metering``, 第九条: 负荷数据来源于用户计量自动化系统) and the
revisions of published results.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ["grid_operator", "regulator", "aggregator", "power_user"]


def _roles(values: Sequence[str]) -> str:
    return "role IN ({})".format(", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    with op.batch_alter_table("platform_users") as batch:
        batch.drop_constraint("ck_platform_users_role", type_="check")
        batch.create_check_constraint("role", _roles([*ROLES, "metering"]))
    op.create_table(
        "result_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("participant_id", sa.String(36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("revised_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"], ["awards.id"], name="fk_result_revisions_award_id_awards"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_result_revisions_event_id_events"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_result_revisions_participant_id_participants",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_result_revisions"),
    )
    op.create_index("ix_result_revisions_award_id", "result_revisions", ["award_id"])
    op.create_index("ix_result_revisions_day", "result_revisions", ["day"])


def downgrade() -> None:
    op.drop_index("ix_result_revisions_day", table_name="result_revisions")
    op.drop_index("ix_result_revisions_award_id", table_name="result_revisions")
    op.drop_table("result_revisions")
    with op.batch_alter_table("platform_users") as batch:
        batch.drop_constraint("ck_platform_users_role", type_="check")
        batch.create_check_constraint("role", _roles(ROLES))
