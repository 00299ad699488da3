"""A reference for each person that carries no personal data (``persons.ref``, 16 random hex
digits, unique): routes, links and answers name people by it instead of the ID number, which
ended up in access logs and browser history (第二十一条). Existing people get one each.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ref", sa.String(length=16), nullable=True))
    connection = op.get_bind()
    persons = sa.table("persons", sa.column("id_number", sa.String), sa.column("ref", sa.String))
    ids = connection.scalars(sa.select(persons.c.id_number)).all()
    update = (
        persons.update()
        .where(persons.c.id_number == sa.bindparam("key"))
        .values(ref=sa.bindparam("new_ref"))
    )
    for start in range(0, len(ids), BATCH):
        connection.execute(
            update,
            [{"key": key, "new_ref": secrets.token_hex(8)} for key in ids[start : start + BATCH]],
        )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.alter_column("ref", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index("ux_persons_ref", ["ref"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ux_persons_ref")
        batch_op.drop_column("ref")
