"""Alembic environment: runs the migrations on the URL given by :func:`gzvpp.kit.db.upgrade`
(:meth:`gzkit.db.DatabaseConfig.run_migrations`), leaving the job queue's objects alone."""

import gzvpp.models  # noqa: F401  (registers every table on Base.metadata)
from gzvpp.kit.db import DATABASE, Base, is_platform_object

DATABASE.run_migrations(Base.metadata, include_name=is_platform_object)
