"""OpenADR hardening: each OpenADR client's MQTT password hash (Mosquitto's PBKDF2-SHA512
format), from which ``gzvpp openadr mqtt-acl`` writes the broker's password file.

Revision ID: 0007_openadr_hardening
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_openadr_hardening"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("openadr_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mqtt_password_hash", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("openadr_clients", schema=None) as batch_op:
        batch_op.drop_column("mqtt_password_hash")
