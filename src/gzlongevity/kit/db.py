"""The system's database (:mod:`gzkit.db`) and the declarative base of its models.

``GZLONGEVITY_DATABASE_URL`` names the database (default ``sqlite:///gzlongevity.sqlite`` in the
working directory), ``GZLONGEVITY_DB_POOL_SIZE`` the connections per engine (default 20).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from gzkit.db import NAMING_CONVENTION, DatabaseConfig

DATABASE = DatabaseConfig(
    env_prefix="GZLONGEVITY",
    default_url="sqlite:///gzlongevity.sqlite",
    migrations=Path(__file__).resolve().parent.parent / "migrations",
)


class Base(DeclarativeBase):
    """Base of every model of the longevity system."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
