"""Alembic environment: runs the migrations on the URL given by :func:`gzvpp.kit.db.upgrade`.

SQLite cannot alter most constraints in place, so migrations there run in batch mode (copy and
swap the table); write ``with op.batch_alter_table(...)`` for any later ALTER so that one
migration works on both databases.
"""

from alembic import context
from sqlalchemy import create_engine, pool

import gzvpp.models  # noqa: F401  (registers every table on Base.metadata)
from gzvpp.kit.db import Base, is_platform_object, resolve_url

if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; run gzvpp db upgrade")

engine = create_engine(resolve_url(context.config.attributes.get("url")), poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=is_platform_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
