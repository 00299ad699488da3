"""Background jobs (后台任务): the ``jobs`` table on both databases; on PostgreSQL also the
schema of procrastinate, the queue that carries them to the workers.

procrastinate's schema is its own (``procrastinate_*`` tables, types, functions and triggers,
as shipped with the pinned version); a later procrastinate release that changes it comes with
SQL migrations of its own, applied by a later migration here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROCRASTINATE_TABLES = ("events", "periodic_defers", "jobs", "workers")
PROCRASTINATE_TYPES = ("job_to_defer_v1", "job_event_type", "job_status")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "evaluation", name="kind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_by_user", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_created_by_id", "jobs", ["created_by", "id"])
    op.create_index(op.f("ix_jobs_status"), "jobs", ["status"])
    if op.get_bind().dialect.name == "postgresql":
        # On psycopg's own connection: without parameters it leaves the script's % alone.
        _driver().execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        driver = _driver()
        for table in PROCRASTINATE_TABLES:
            driver.execute(f"DROP TABLE IF EXISTS procrastinate_{table} CASCADE")
        functions = driver.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema() AND starts_with(p.proname, 'procrastinate_')"
        ).fetchall()
        for (function,) in functions:
            driver.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
        for kind in PROCRASTINATE_TYPES:
            driver.execute(f"DROP TYPE IF EXISTS procrastinate_{kind} CASCADE")
    op.drop_index(op.f("ix_jobs_status"), table_name="jobs")
    op.drop_index("ix_jobs_created_by_id", table_name="jobs")
    op.drop_table("jobs")


def _driver() -> Any:
    """psycopg's connection under the migration's (the same transaction)."""
    return op.get_bind().connection.driver_connection
