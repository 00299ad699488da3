"""Password sign-in: a user's password hash, failed sign-ins and lockout; a token's kind (an
API token, or the session a password sign-in opens).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOLDS_PASSWORD = sa.text("password_hash IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("platform_users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
        batch.add_column(sa.Column("password_set_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.create_index(
        "uq_platform_users_name_password",
        "platform_users",
        ["name"],
        unique=True,
        sqlite_where=HOLDS_PASSWORD,
        postgresql_where=HOLDS_PASSWORD,
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("kind", sa.String(32), server_default="api", nullable=False))
        batch.create_check_constraint("kind", "kind IN ('api', 'session')")


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint("ck_api_tokens_kind", type_="check")
        batch.drop_column("kind")
    op.drop_index("uq_platform_users_name_password", table_name="platform_users")
    with op.batch_alter_table("platform_users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
        batch.drop_column("password_set_at")
        batch.drop_column("password_hash")
