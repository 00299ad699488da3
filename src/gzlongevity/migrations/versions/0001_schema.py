"""The longevity system's schema: officers and tokens, the audit log (append-only), persons
and register events with their feeds, intake tasks, the notice outbox, monthly runs with their
lines, overpayments and sign-offs, recovery cases, checks, change requests, and the standards
and rule versions (with the 2021 measure, 穗民规字〔2021〕6号, 2021-09 to 2026-08).

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gzkit.audit import append_only_statements

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_log_entity_entity_id", ["entity", "entity_id"], unique=False
        )

    op.create_table(
        "district_standards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("monthly_fen", sa.Integer(), nullable=False),
        sa.Column("from_month", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_standards")),
        sa.UniqueConstraint(
            "district",
            "tier",
            "from_month",
            name=op.f("uq_district_standards_district_tier_from_month"),
        ),
    )
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "public_security",
                "health",
                name="source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "snapshot",
                "changes",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("received_by", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("new_events", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
    )
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feeds_sha256"), ["sha256"], unique=False)

    op.create_table(
        "officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "city",
                "district",
                "street",
                "committee",
                "military",
                "finance",
                "audit",
                "exchange",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("district", sa.String(length=6), nullable=True),
        sa.Column("street", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
    )
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.create_index(
            "uq_officers_name_password",
            ["name"],
            unique=True,
            sqlite_where=sa.text("password_hash IS NOT NULL"),
            postgresql_where=sa.text("password_hash IS NOT NULL"),
        )

    op.create_table(
        "payment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "computed",
                "approved",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("computed_by", sa.String(length=200), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("district_totals", sa.JSON(), nullable=False),
        sa.Column("exception_streets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_runs")),
        sa.UniqueConstraint("month", name=op.f("uq_payment_runs_month")),
    )
    op.create_table(
        "persons",
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("street", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "left",
                "died",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("death_conflict", sa.Boolean(), nullable=False),
        sa.Column("military", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("bank_name", sa.String(length=100), nullable=True),
        sa.Column("bank_account", sa.String(length=34), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column(
            "confirm_channel",
            sa.Enum(
                "app",
                "committee",
                "street",
                name="confirm_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("confirm_evidence", sa.Text(), nullable=True),
        sa.Column("agreement_signed_on", sa.Date(), nullable=True),
        sa.Column("previous_district", sa.String(length=6), nullable=True),
        sa.Column("previous_street", sa.String(length=64), nullable=True),
        sa.Column("handover_month", sa.Integer(), nullable=True),
        sa.Column("suspended_from", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id_number", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index("ix_persons_district_street", ["district", "street"], unique=False)

    op.create_table(
        "rule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("from_month", sa.Integer(), nullable=False),
        sa.Column("to_month", sa.Integer(), nullable=False),
        sa.Column("district_share_pct", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_versions")),
        sa.UniqueConstraint("name", name=op.f("uq_rule_versions_name")),
    )
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "personal",
                "bank",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "applied",
                "rejected",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("told_on", sa.Date(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id_number"], name=op.f("fk_change_requests_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["officers.id"],
            name=op.f("fk_change_requests_requested_by_id_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_requests_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_change_requests_status"), ["status"], unique=False)

    op.create_table(
        "check_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "home_visit",
                "neighbour",
                "phone",
                "data",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id_number"], name=op.f("fk_check_records_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_records")),
    )
    with op.batch_alter_table("check_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_records_person_id"), ["person_id"], unique=False)

    op.create_table(
        "intake_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column(
            "origin",
            sa.Enum(
                "data",
                "application",
                name="origin",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("street", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "notified",
                "confirmed",
                "closed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("notify_by", sa.Date(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("code_sha256", sa.String(length=64), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id_number"], name=op.f("fk_intake_tasks_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_tasks")),
    )
    with op.batch_alter_table("intake_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_tasks_district"), ["district"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_tasks_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_tasks_status"), ["status"], unique=False)

    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "intake",
                "overpayment",
                "order",
                "confirmed",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "sms",
                "letter",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id_number"], name=op.f("fk_notices_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_person_id"), ["person_id"], unique=False)

    op.create_table(
        "officer_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_officer_tokens_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_officer_tokens_token_sha256")),
    )
    with op.batch_alter_table("officer_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_officer_tokens_officer_id"), ["officer_id"], unique=False
        )

    op.create_table(
        "recovery_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("street", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "overpayment",
                "fraud",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "notified",
                "clawback",
                "ordered",
                "closed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("recovered_fen", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("found_in_run", sa.Integer(), nullable=True),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("clawback_month", sa.Integer(), nullable=True),
        sa.Column("ordered_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id_number"], name=op.f("fk_recovery_cases_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_cases")),
    )
    with op.batch_alter_table("recovery_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_cases_district"), ["district"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recovery_cases_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recovery_cases_status"), ["status"], unique=False)

    op.create_table(
        "register_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column(
            "event",
            sa.Enum(
                "registered",
                "moved",
                "left",
                "died",
                name="event",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("known_on", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=True),
        sa.Column("street", sa.String(length=64), nullable=True),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name=op.f("fk_register_events_feed_id_feeds")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id_number"], name=op.f("fk_register_events_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_events")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_register_events_fingerprint")),
    )
    with op.batch_alter_table("register_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_events_feed_id"), ["feed_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_register_events_known_on"), ["known_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_register_events_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "run_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("street", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "arrears",
                "centenarian",
                "monthly",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("for_month", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("city_fen", sa.Integer(), nullable=False),
        sa.Column("extra_fen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id_number"], name=op.f("fk_run_lines_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_lines_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_lines")),
    )
    with op.batch_alter_table("run_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_lines_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_run_lines_run_id_district_street", ["run_id", "district", "street"], unique=False
        )
        batch_op.create_index("ix_run_lines_run_id_kind", ["run_id", "kind"], unique=False)

    op.create_table(
        "run_overpayments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("street", sa.String(length=64), nullable=False),
        sa.Column("for_month", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "arrears",
                "centenarian",
                "monthly",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_in_run", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "died", "left", name="reason", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id_number"], name=op.f("fk_run_overpayments_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_overpayments_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_overpayments")),
    )
    with op.batch_alter_table("run_overpayments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_run_overpayments_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_run_overpayments_run_id"), ["run_id"], unique=False)

    op.create_table(
        "run_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("street", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payment_runs.id"], name=op.f("fk_run_signoffs_run_id_payment_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_signoffs")),
        sa.UniqueConstraint(
            "run_id", "district", "street", name=op.f("uq_run_signoffs_run_id_district_street")
        ),
    )
    with op.batch_alter_table("run_signoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_signoffs_run_id"), ["run_id"], unique=False)
    for statement in append_only_statements(op.get_bind().dialect.name):
        op.execute(statement)
    rule_versions = sa.table(
        "rule_versions",
        sa.column("name", sa.String),
        sa.column("from_month", sa.Integer),
        sa.column("to_month", sa.Integer),
        sa.column("district_share_pct", sa.Integer),
        sa.column("created_at", sa.DateTime),
    )
    op.bulk_insert(
        rule_versions,
        [
            {
                "name": "穗民规字〔2021〕6号",
                "from_month": 2021 * 12 + 8,
                "to_month": 2026 * 12 + 7,
                "district_share_pct": 50,
                "created_at": dt.datetime(2021, 6, 15),
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("run_signoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_signoffs_run_id"))

    op.drop_table("run_signoffs")
    with op.batch_alter_table("run_overpayments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_overpayments_run_id"))
        batch_op.drop_index(batch_op.f("ix_run_overpayments_person_id"))

    op.drop_table("run_overpayments")
    with op.batch_alter_table("run_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_run_lines_run_id_kind")
        batch_op.drop_index("ix_run_lines_run_id_district_street")
        batch_op.drop_index(batch_op.f("ix_run_lines_person_id"))

    op.drop_table("run_lines")
    with op.batch_alter_table("register_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_events_person_id"))
        batch_op.drop_index(batch_op.f("ix_register_events_known_on"))
        batch_op.drop_index(batch_op.f("ix_register_events_feed_id"))

    op.drop_table("register_events")
    with op.batch_alter_table("recovery_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_cases_status"))
        batch_op.drop_index(batch_op.f("ix_recovery_cases_person_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_cases_district"))

    op.drop_table("recovery_cases")
    with op.batch_alter_table("officer_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_tokens_officer_id"))

    op.drop_table("officer_tokens")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_person_id"))

    op.drop_table("notices")
    with op.batch_alter_table("intake_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_tasks_status"))
        batch_op.drop_index(batch_op.f("ix_intake_tasks_person_id"))
        batch_op.drop_index(batch_op.f("ix_intake_tasks_district"))

    op.drop_table("intake_tasks")
    with op.batch_alter_table("check_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_records_person_id"))

    op.drop_table("check_records")
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_requests_status"))
        batch_op.drop_index(batch_op.f("ix_change_requests_person_id"))

    op.drop_table("change_requests")
    op.drop_table("rule_versions")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ix_persons_district_street")

    op.drop_table("persons")
    op.drop_table("payment_runs")
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_officers_name_password",
            sqlite_where=sa.text("password_hash IS NOT NULL"),
            postgresql_where=sa.text("password_hash IS NOT NULL"),
        )

    op.drop_table("officers")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feeds_sha256"))

    op.drop_table("feeds")
    op.drop_table("district_standards")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity_entity_id")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
