"""An index on ``persons.military``: every query that keeps the military cadres apart
(第二十五条: the jurisdiction of the city-wide roles, each payer's recovery cases and bank
file, the month's figures) asks for the cadres' ID numbers, which without it read all of
``persons`` — 30 ms at 200,000 people, hundreds of times in a demo's year.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_persons_military", "persons", ["military"])


def downgrade() -> None:
    op.drop_index("ix_persons_military", table_name="persons")
