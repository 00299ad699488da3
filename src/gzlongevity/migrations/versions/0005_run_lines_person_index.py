"""No index on ``run_lines.person_id``: no query looks a person's lines up (the engine reads a
run's lines by payer, the bank file, figures and reviews by run), and every run writes about
100,000 lines, each placed in that index among all earlier runs' lines: on SQLite writing
100,000 lines (the commit included) took 1.9 s of CPU with the index and 0.8 s without.
The foreign key to ``persons`` stays: it is checked on every insert through the key of
``persons``; a person's ID number is never changed nor a person deleted, which alone would
read ``run_lines`` by person.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_run_lines_person_id", table_name="run_lines")


def downgrade() -> None:
    op.create_index("ix_run_lines_person_id", "run_lines", ["person_id"])
