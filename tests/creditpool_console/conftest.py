"""Fixtures of the credit pool's console tests: a small demo world (60 SMEs, 2021–2025) run
through the service on SQLite, a client signed in per role, and for the browser tests the app
served by uvicorn with Debian's chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gzcreditpool.demo import world
from gzcreditpool.demo.run import DemoRun, simulate
from gzkit.testing import chromium, served


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    database = tmp_path_factory.mktemp("pool") / "pool.sqlite"
    run = simulate(f"sqlite:///{database}", world.build(60, seed=7))
    yield run
    run.close()


# ---- browser tests --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(demo_run: DemoRun) -> Iterator[str]:
    """The app served by uvicorn in a background thread."""
    with served(demo_run.client.app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched
