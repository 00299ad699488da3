"""The rule versions loans fall under (``policy_versions``, C10; 第三十一条, 第三十二条): this
policy, 穗科规字〔2021〕2号 in force 2021-07-01 to 2026-06-30 (code ``2021``), and every loan's
version (``loans.policy_code``; the loans already in the book are this policy's).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = {
    "code": "2021",
    "title": "穗科规字〔2021〕2号",
    "starts_on": dt.date(2021, 7, 1),
    "ends_on": dt.date(2026, 6, 30),
    "earlier": False,
}


def upgrade() -> None:
    versions = op.create_table(
        "policy_versions",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("earlier", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_policy_versions")),
    )
    op.bulk_insert(versions, [CURRENT])
    with op.batch_alter_table("loans") as batch:
        batch.add_column(sa.Column("policy_code", sa.String(length=16), nullable=True))
    op.execute(sa.text("UPDATE loans SET policy_code = :code").bindparams(code=CURRENT["code"]))
    with op.batch_alter_table("loans") as batch:
        batch.alter_column("policy_code", existing_type=sa.String(length=16), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_loans_policy_code_policy_versions"),
            "policy_versions",
            ["policy_code"],
            ["code"],
        )
        batch.create_index(batch.f("ix_loans_policy_code"), ["policy_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        batch.drop_index(batch.f("ix_loans_policy_code"))
        batch.drop_constraint(batch.f("fk_loans_policy_code_policy_versions"), type_="foreignkey")
        batch.drop_column("policy_code")
    op.drop_table("policy_versions")
