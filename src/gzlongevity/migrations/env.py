"""Alembic environment: runs the migrations on the URL given by
:meth:`gzlongevity.kit.db.DATABASE.upgrade` (:meth:`gzkit.db.DatabaseConfig.run_migrations`)."""

import gzlongevity.models  # noqa: F401  (registers every table on Base.metadata)
from gzlongevity.kit.db import DATABASE, Base

DATABASE.run_migrations(Base.metadata)
