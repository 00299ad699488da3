"""The platform's database: its configuration, the declarative base of its models, and the
job queue's objects that its migrations leave alone. The machinery is :mod:`gzkit.db`.

``GZVPP_DATABASE_URL`` names the database (default ``sqlite:///gzvpp.sqlite`` in the working
directory) and ``GZVPP_DB_POOL_SIZE`` the connections per engine (default 20), of which
:data:`BACKGROUND_CONNECTIONS` are kept for the scheduler, the OpenADR notifier and relay.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

from gzkit.db import NAMING_CONVENTION, DatabaseConfig

BACKGROUND_CONNECTIONS = 4
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
DATABASE = DatabaseConfig(
    env_prefix="GZVPP",
    default_url="sqlite:///gzvpp.sqlite",
    migrations=MIGRATIONS,
    background_connections=BACKGROUND_CONNECTIONS,
)
DATABASE_URL_ENV = DATABASE.url_env
POOL_SIZE_ENV = DATABASE.pool_size_env
resolve_url = DATABASE.resolve_url
pool_size = DATABASE.pool_size
request_capacity = DATABASE.request_capacity
make_engine = DATABASE.make_engine
upgrade = DATABASE.upgrade
current_revision = DATABASE.current_revision
in_database = DATABASE.in_database


class Base(DeclarativeBase):
    """Base of every ORM model; ``Decimal`` columns default to kW with 3 decimals."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {Decimal: Numeric(14, 3)}


# The job queue's own tables, types and functions (procrastinate, PostgreSQL only): created by
# a migration from the schema procrastinate ships, not from the platform's models.
QUEUE_PREFIX = "procrastinate_"


def is_platform_object(name: str | None, type_: str, _parents: Any) -> bool:
    """Whether Alembic's comparison should look at ``name``: the platform's objects, not the
    job queue's."""
    return type_ != "table" or not (name or "").startswith(QUEUE_PREFIX)
