"""Meter data by month: on PostgreSQL ``meter_days`` becomes partitioned by RANGE (day), one
partition per month (see gzvpp.meterdata.partitions); SQLite keeps its one table.

The stored rows move into the new table in this migration's transaction: the old table is
renamed aside, the partitioned one created under the old names (primary key (account_id, day),
index on day), a partition made for each month present, the rows copied, the old table dropped.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gzvpp.meterdata.partitions import create

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "account_id, day, kw, updated_at"
OLD = "meter_days_unpartitioned"


def _rename_aside() -> None:
    op.execute(f"ALTER TABLE meter_days RENAME TO {OLD}")
    op.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT pk_meter_days TO pk_{OLD}")
    op.execute(f"ALTER INDEX ix_meter_days_day RENAME TO ix_{OLD}_day")


def _create(partitioned: bool) -> None:
    op.execute(
        "CREATE TABLE meter_days ("
        " account_id VARCHAR(32) NOT NULL, day DATE NOT NULL, kw BYTEA NOT NULL,"
        " updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,"
        " CONSTRAINT pk_meter_days PRIMARY KEY (account_id, day))"
        + (" PARTITION BY RANGE (day)" if partitioned else "")
    )
    op.execute("CREATE INDEX ix_meter_days_day ON meter_days (day)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _rename_aside()
    _create(partitioned=True)
    connection = op.get_bind()
    months = connection.scalars(
        sa.text(f"SELECT DISTINCT date_trunc('month', day)::date FROM {OLD} ORDER BY 1")
    )
    for month in months.all():
        create(connection, month)
    op.execute(f"INSERT INTO meter_days ({COLUMNS}) SELECT {COLUMNS} FROM {OLD}")
    op.execute(f"DROP TABLE {OLD}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _rename_aside()  # the partitions go with the partitioned table
    _create(partitioned=False)
    op.execute(f"INSERT INTO meter_days ({COLUMNS}) SELECT {COLUMNS} FROM {OLD}")
    op.execute(f"DROP TABLE {OLD}")
