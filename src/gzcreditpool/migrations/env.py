"""Alembic environment of the pool: runs the migrations on the URL given by
:meth:`gzkit.db.DatabaseConfig.upgrade`; batch mode on SQLite (copy and swap a table) so that
one migration works on both databases."""

from alembic import context
from sqlalchemy import create_engine, pool

import gzcreditpool.models  # noqa: F401  (registers every table on Base.metadata)
from gzcreditpool.kit.db import DATABASE, Base

if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; run gzcreditpool db upgrade")

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
