"""Platform users, API tokens, the audit log, participants and their accounts.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gzkit.audit import append_only_statements

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KW = sa.Numeric(14, 3)
HELD = sa.text("released_at IS NULL")


def _enum_check(column: str, values: Sequence[str], table: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=f"ck_{table}_{column}")


def upgrade() -> None:
    op.create_table(
        "participants",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("general_taxpayer", sa.Boolean(), nullable=False),
        sa.Column("capability_kw", KW, nullable=False),
        sa.Column("response_duration_min", sa.Integer(), nullable=True),
        sa.Column("realtime_capable", sa.Boolean(), nullable=False),
        sa.Column("minute_monitoring", sa.Boolean(), nullable=False),
        sa.Column("realtime_capability_kw", KW, nullable=True),
        sa.Column("policy_compliant", sa.Boolean(), nullable=True),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("max_load_kw", KW, nullable=True),
        sa.Column("registered_in_guangzhou", sa.Boolean(), nullable=True),
        sa.Column("registered_capital_cny", sa.Numeric(16, 2), nullable=True),
        sa.Column("member_list_on_file", sa.Boolean(), nullable=True),
        sa.Column("delegation_agreement_on_file", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("rejection_reason", sa.String(500), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("review_started_at", sa.DateTime(), nullable=True),
        sa.Column("publicity_started_at", sa.DateTime(), nullable=True),
        sa.Column("publicity_cleared_at", sa.DateTime(), nullable=True),
        sa.Column("activated_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_participants"),
        sa.CheckConstraint(
            "kind <> 'user' OR (category IS NOT NULL AND policy_compliant IS NOT NULL"
            " AND max_load_kw IS NOT NULL AND response_duration_min IS NOT NULL)",
            name="ck_participants_user_fields",
        ),
        sa.CheckConstraint(
            "kind <> 'aggregator' OR (registered_in_guangzhou IS NOT NULL"
            " AND registered_capital_cny IS NOT NULL AND member_list_on_file IS NOT NULL"
            " AND delegation_agreement_on_file IS NOT NULL)",
            name="ck_participants_aggregator_fields",
        ),
        _enum_check("kind", ["user", "aggregator"], "participants"),
        _enum_check("category", ["large_industry", "general_commercial"], "participants"),
        _enum_check(
            "status",
            ["submitted", "grid_review", "publicity", "active", "rejected"],
            "participants",
        ),
    )
    for column in ("kind", "name", "capability_kw", "category", "status", "submitted_at"):
        op.create_index(f"ix_participants_{column}", "participants", [column])
    op.create_index(
        "ix_participants_realtime", "participants", ["realtime_capable", "minute_monitoring"]
    )

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("participant_id", sa.String(36), nullable=False),
        sa.Column("capability_kw", KW, nullable=False),
        sa.Column("substation", sa.String(64), nullable=False),
        sa.Column("feeder", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_accounts_participant_id_participants",
        ),
    )
    op.create_index("ix_accounts_participant_id", "accounts", ["participant_id"])
    op.create_index("ix_accounts_substation", "accounts", ["substation"])
    op.create_index(
        "uq_accounts_account_id_held",
        "accounts",
        ["account_id"],
        unique=True,
        sqlite_where=HELD,
        postgresql_where=HELD,
    )

    op.create_table(
        "aggregator_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("aggregator_id", sa.String(36), nullable=False),
        sa.Column("account_pk", sa.Integer(), nullable=False),
        sa.Column("member_name", sa.String(200), nullable=False),
        sa.Column("policy_compliant", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_aggregator_members"),
        sa.ForeignKeyConstraint(
            ["aggregator_id"],
            ["participants.id"],
            name="fk_aggregator_members_aggregator_id_participants",
        ),
        sa.ForeignKeyConstraint(
            ["account_pk"], ["accounts.id"], name="fk_aggregator_members_account_pk_accounts"
        ),
        sa.UniqueConstraint("account_pk", name="uq_aggregator_members_account_pk"),
    )
    op.create_index("ix_aggregator_members_aggregator_id", "aggregator_members", ["aggregator_id"])

    op.create_table(
        "platform_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("participant_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_platform_users"),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_platform_users_participant_id_participants",
        ),
        sa.CheckConstraint(
            "(role IN ('aggregator', 'power_user')) = (participant_id IS NOT NULL)",
            name="ck_platform_users_participant_iff_scoped",
        ),
        _enum_check(
            "role", ["grid_operator", "regulator", "aggregator", "power_user"], "platform_users"
        ),
    )
    op.create_index("ix_platform_users_participant_id", "platform_users", ["participant_id"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["platform_users.id"], name="fk_api_tokens_user_id_platform_users"
        ),
        sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_entity_entity_id", "audit_log", ["entity", "entity_id"])
    # The audit log is append-only: the database itself refuses to change or remove a row.
    for statement in append_only_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_append_only() CASCADE")
    for table in (
        "audit_log",
        "api_tokens",
        "platform_users",
        "aggregator_members",
        "accounts",
        "participants",
    ):
        op.drop_table(table)
