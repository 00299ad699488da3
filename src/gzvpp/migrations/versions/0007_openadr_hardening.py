"""OpenADR hardening: each OpenADR client's MQTT password hash (Mosquitto's PBKDF2-SHA512
format), from which ``gzvpp openadr mqtt-acl`` writes the broker's password file; the GZ-VPP
program loses its report payload descriptors (ElaadNL's openadr3-client cannot read a program
carrying them; the events' reportDescriptors say what to report).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OBJECTS = sa.table("openadr_objects", sa.column("id", sa.String), sa.column("body", sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table("openadr_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mqtt_password_hash", sa.String(length=255), nullable=True))
    connection = op.get_bind()
    body = connection.scalar(sa.select(OBJECTS.c.body).where(OBJECTS.c.id == "gz-vpp"))
    if body:
        descriptors = [
            d
            for d in body.get("payloadDescriptors") or []
            if d.get("objectType") != "REPORT_PAYLOAD_DESCRIPTOR"
        ]
        connection.execute(
            OBJECTS.update()
            .where(OBJECTS.c.id == "gz-vpp")
            .values(body={**body, "payloadDescriptors": descriptors})
        )


def downgrade() -> None:
    with op.batch_alter_table("openadr_clients", schema=None) as batch_op:
        batch_op.drop_column("mqtt_password_hash")
