"""OpenADR: VTN clients and tokens, the OpenADR 3 object store and its targets, relayed
notifications, minute telemetry, and the 2.0b VENs with their pending messages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "openadr_objects",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column(
            "object_type",
            sa.Enum(
                "PROGRAM",
                "EVENT",
                "REPORT",
                "SUBSCRIPTION",
                "VEN",
                "RESOURCE",
                name="object_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("client_id", sa.String(length=128), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("program_id", sa.String(length=128), nullable=True),
        sa.Column("event_id", sa.String(length=128), nullable=True),
        sa.Column("ven_id", sa.String(length=128), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.Column("modification_number", sa.Integer(), nullable=False),
        sa.Column("gz_kind", sa.String(length=16), nullable=True),
        sa.Column("gz_event_id", sa.String(length=40), nullable=True),
        sa.Column("gz_participant_id", sa.String(length=36), nullable=True),
        sa.Column("gz", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["gz_event_id"], ["events.id"], name=op.f("fk_openadr_objects_gz_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["gz_participant_id"],
            ["participants.id"],
            name=op.f("fk_openadr_objects_gz_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openadr_objects")),
    )
    with op.batch_alter_table("openadr_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_openadr_objects_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_openadr_objects_gz_event_id"), ["gz_event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_openadr_objects_gz_participant_id"), ["gz_participant_id"], unique=False
        )
        batch_op.create_index(
            "ix_openadr_objects_object_type_client_id", ["object_type", "client_id"], unique=False
        )
        batch_op.create_index(
            "ix_openadr_objects_object_type_name", ["object_type", "name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_openadr_objects_program_id"), ["program_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_openadr_objects_ven_id"), ["ven_id"], unique=False)

    op.create_table(
        "openadr_telemetry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("resource", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kw", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_openadr_telemetry_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_openadr_telemetry_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openadr_telemetry")),
        sa.UniqueConstraint(
            "event_id",
            "participant_id",
            "resource",
            "at",
            name=op.f("uq_openadr_telemetry_event_id_participant_id_resource_at"),
        ),
    )
    with op.batch_alter_table("openadr_telemetry", schema=None) as batch_op:
        batch_op.create_index("ix_openadr_telemetry_event_id_at", ["event_id", "at"], unique=False)

    op.create_table(
        "openadr2b_vens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ven_name", sa.String(length=128), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("registration_id", sa.String(length=64), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=True),
        sa.Column("data_points", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_openadr2b_vens_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["platform_users.id"],
            name=op.f("fk_openadr2b_vens_user_id_platform_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openadr2b_vens")),
        sa.UniqueConstraint("ven_name", name=op.f("uq_openadr2b_vens_ven_name")),
    )
    with op.batch_alter_table("openadr2b_vens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_openadr2b_vens_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "openadr_clients",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("ven", "bl", name="role", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(role = 'ven') = (participant_id IS NOT NULL)",
            name=op.f("ck_openadr_clients_participant_iff_ven"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_openadr_clients_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["platform_users.id"],
            name=op.f("fk_openadr_clients_user_id_platform_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openadr_clients")),
    )
    with op.batch_alter_table("openadr_clients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_openadr_clients_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "openadr_object_targets",
        sa.Column("object_id", sa.String(length=128), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["openadr_objects.id"],
            name=op.f("fk_openadr_object_targets_object_id_openadr_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("object_id", "target", name=op.f("pk_openadr_object_targets")),
    )
    with op.batch_alter_table("openadr_object_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_openadr_object_targets_target"), ["target"], unique=False
        )

    op.create_table(
        "openadr_relayed",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("relayed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_openadr_relayed_notification_id_notifications"),
        ),
        sa.PrimaryKeyConstraint("notification_id", name=op.f("pk_openadr_relayed")),
    )
    op.create_table(
        "openadr2b_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ven_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("report_request_id", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=True),
        sa.Column("object_id", sa.String(length=128), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ven_id"],
            ["openadr2b_vens.id"],
            name=op.f("fk_openadr2b_messages_ven_id_openadr2b_vens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openadr2b_messages")),
        sa.UniqueConstraint(
            "report_request_id", name=op.f("uq_openadr2b_messages_report_request_id")
        ),
    )
    with op.batch_alter_table("openadr2b_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_openadr2b_messages_ven_id_delivered_at", ["ven_id", "delivered_at"], unique=False
        )

    op.create_table(
        "openadr_tokens",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["openadr_clients.id"],
            name=op.f("fk_openadr_tokens_client_id_openadr_clients"),
        ),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_openadr_tokens")),
    )
    with op.batch_alter_table("openadr_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_openadr_tokens_client_id"), ["client_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("openadr_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_openadr_tokens_client_id"))

    op.drop_table("openadr_tokens")
    with op.batch_alter_table("openadr2b_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_openadr2b_messages_ven_id_delivered_at")

    op.drop_table("openadr2b_messages")
    op.drop_table("openadr_relayed")
    with op.batch_alter_table("openadr_object_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_openadr_object_targets_target"))

    op.drop_table("openadr_object_targets")
    with op.batch_alter_table("openadr_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_openadr_clients_participant_id"))

    op.drop_table("openadr_clients")
    with op.batch_alter_table("openadr2b_vens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_openadr2b_vens_participant_id"))

    op.drop_table("openadr2b_vens")
    with op.batch_alter_table("openadr_telemetry", schema=None) as batch_op:
        batch_op.drop_index("ix_openadr_telemetry_event_id_at")

    op.drop_table("openadr_telemetry")
    with op.batch_alter_table("openadr_objects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_openadr_objects_ven_id"))
        batch_op.drop_index(batch_op.f("ix_openadr_objects_program_id"))
        batch_op.drop_index("ix_openadr_objects_object_type_name")
        batch_op.drop_index("ix_openadr_objects_object_type_client_id")
        batch_op.drop_index(batch_op.f("ix_openadr_objects_gz_participant_id"))
        batch_op.drop_index(batch_op.f("ix_openadr_objects_gz_event_id"))
        batch_op.drop_index(batch_op.f("ix_openadr_objects_event_id"))

    op.drop_table("openadr_objects")
