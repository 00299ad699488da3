"""Events, bids, awards, notifications, 15-minute meter data and award results.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "peak",
                "valley",
                name="direction",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum(
                "day_ahead",
                "hours_ahead",
                "realtime",
                name="mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=False),
        sa.Column("demand_kw", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column(
            "price_mode",
            sa.Enum(
                "fixed",
                "bidding",
                name="price_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("fixed_price", sa.Numeric(precision=8, scale=4), nullable=True),
        sa.Column("price_cap", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.Column("scope_substations", sa.JSON(), nullable=False),
        sa.Column("scope_feeders", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "published",
                "ranked",
                "notified",
                "dispatched",
                "evaluated",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("trigger", sa.JSON(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("bids_close_at", sa.DateTime(), nullable=True),
        sa.Column("ranking_due_at", sa.DateTime(), nullable=True),
        sa.Column("notify_due_at", sa.DateTime(), nullable=True),
        sa.Column("ranked_at", sa.DateTime(), nullable=True),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("shortfall", sa.Boolean(), nullable=False),
        sa.Column("shortfall_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_start_at"), ["start_at"], unique=False)
        batch_op.create_index("ix_events_status_start_at", ["status", "start_at"], unique=False)

    op.create_table(
        "meter_days",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kw", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_meter_days")),
    )
    with op.batch_alter_table("meter_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meter_days_day"), ["day"], unique=False)

    op.create_table(
        "system_load_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("mw", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_system_load_days")),
    )
    op.create_table(
        "bids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("kw", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("price", sa.Numeric(precision=8, scale=4), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_bids_event_id_events")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_bids_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bids")),
        sa.UniqueConstraint(
            "event_id", "participant_id", name=op.f("uq_bids_event_id_participant_id")
        ),
    )
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bids_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_bids_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "invitation",
                "plan",
                "cancellation",
                "dispatch",
                "result",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_notifications_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_notifications_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_notifications_participant_id_created_at",
            ["participant_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=True),
        sa.Column("kw", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("price", sa.Numeric(precision=8, scale=4), nullable=True),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("baseline_type", sa.String(length=16), nullable=True),
        sa.Column("baseline", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("target_reached_at", sa.DateTime(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["bid_id"], ["bids.id"], name=op.f("fk_awards_bid_id_bids")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_awards_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_awards_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awards")),
        sa.UniqueConstraint(
            "event_id", "participant_id", name=op.f("uq_awards_event_id_participant_id")
        ),
    )
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_awards_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_awards_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "award_results",
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("baseline_type", sa.String(length=16), nullable=False),
        sa.Column("baseline_days", sa.JSON(), nullable=False),
        sa.Column("adjustment_factor", sa.Numeric(precision=14, scale=6), nullable=True),
        sa.Column("baseline_avg_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("baseline_max_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("baseline_min_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("actual_avg_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("actual_max_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("actual_min_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("awarded_kw", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("response_kw", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("response_ratio", sa.Numeric(precision=14, scale=6), nullable=True),
        sa.Column("effective", sa.Boolean(), nullable=False),
        sa.Column("non_execution", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("response_energy_kwh", sa.Numeric(precision=16, scale=3), nullable=True),
        sa.Column("effective_energy_kwh", sa.Numeric(precision=16, scale=3), nullable=True),
        sa.Column("price", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.Column("coefficient", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("subsidy_cny", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("month_non_executions", sa.Integer(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("rank_score", sa.Numeric(precision=14, scale=6), nullable=False),
        sa.Column("curves", sa.JSON(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"], ["awards.id"], name=op.f("fk_award_results_award_id_awards")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_award_results_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_award_results_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("award_id", name=op.f("pk_award_results")),
    )
    with op.batch_alter_table("award_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_results_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_award_results_participant_id_day", ["participant_id", "day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("award_results", schema=None) as batch_op:
        batch_op.drop_index("ix_award_results_participant_id_day")
        batch_op.drop_index(batch_op.f("ix_award_results_event_id"))

    op.drop_table("award_results")
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_awards_participant_id"))
        batch_op.drop_index(batch_op.f("ix_awards_event_id"))

    op.drop_table("awards")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_participant_id_created_at")
        batch_op.drop_index(batch_op.f("ix_notifications_event_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("bids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bids_participant_id"))
        batch_op.drop_index(batch_op.f("ix_bids_event_id"))

    op.drop_table("bids")
    op.drop_table("system_load_days")
    with op.batch_alter_table("meter_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meter_days_day"))

    op.drop_table("meter_days")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_status_start_at")
        batch_op.drop_index(batch_op.f("ix_events_start_at"))

    op.drop_table("events")
