"""The pool's database (:mod:`gzkit.db`): ``GZCREDITPOOL_DATABASE_URL`` names it (default
``sqlite:///gzcreditpool.sqlite`` in the working directory), ``GZCREDITPOOL_DB_POOL_SIZE`` the
connections per engine."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

from gzkit.db import NAMING_CONVENTION, DatabaseConfig

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
DATABASE = DatabaseConfig(
    env_prefix="GZCREDITPOOL",
    default_url="sqlite:///gzcreditpool.sqlite",
    migrations=MIGRATIONS,
)
MONEY = Numeric(16, 2)  # CNY to the fen


class Base(DeclarativeBase):
    """Base of every model of the pool; ``Decimal`` columns are CNY with 2 decimals."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {Decimal: MONEY}
