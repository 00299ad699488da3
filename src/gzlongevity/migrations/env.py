"""Alembic environment: runs the migrations on the URL given by
:meth:`gzlongevity.kit.db.DATABASE.upgrade`; batch mode on SQLite (write later ALTERs with
``op.batch_alter_table`` so one migration works on both databases)."""

from alembic import context
from sqlalchemy import create_engine, pool

import gzlongevity.models  # noqa: F401  (registers every table on Base.metadata)
from gzlongevity.kit.db import DATABASE, Base

if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; run gzlongevity db upgrade")

url = DATABASE.resolve_url(context.config.attributes.get("url"))
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
