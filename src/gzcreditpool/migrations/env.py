"""Alembic environment of the pool: runs the migrations on the URL given by
:meth:`gzcreditpool.kit.db.DATABASE.upgrade` (:meth:`gzkit.db.DatabaseConfig.run_migrations`)."""

import gzcreditpool.models  # noqa: F401  (registers every table on Base.metadata)
from gzcreditpool.kit.db import DATABASE, Base

DATABASE.run_migrations(Base.metadata)
