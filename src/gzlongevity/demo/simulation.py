"""The demo's simulation: a synthetic Guangzhou register (:mod:`gzlongevity.synthetic`: the 11
districts and their streets, births, deaths, moves, late data, late confirmations, 天河区 with a
higher standard) fed through the service's API month by month on a simulated clock.

Each month the register rows and the 穗好办 confirmations known by the run day (the 20th) are
delivered, the daily sweep creates intake tasks, escalates overdue ones and issues 责令退回
orders; the city computes the run, every street with exceptions reviews them, every district
and the military channel (第二十五条) approves its own list, and each payer's bank file is
fetched, from the account the city configured for it at the start; the rest of the month's
data follows at its end.
Streets send some notices (the outbox) and record a few failed checks.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from gzkit.clock import SimulatedClock
from gzkit.db import session_scope
from gzlongevity.app import create_app
from gzlongevity.core.calendar import month_text
from gzlongevity.core.deadlines import add_months
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS, MILITARY, PAYERS
from gzlongevity.kit.auth import create_officer
from gzlongevity.models import Role
from gzlongevity.synthetic import write_synthetic_register

FIRST, LAST = dt.date(2021, 8, 1), dt.date(2022, 12, 1)
RUN_DAY = 20
BATCH = 50_000  # confirmations per delivery
NOTICES_PER_MONTH = 50
AGREEMENT_SHARE = 6  # of 10: elders who sign the deduction agreement when confirming
Progress = Callable[[str], None]


@dataclass
class DemoRun:
    """The simulation's state and what it measured."""

    out: Path
    people: int
    app: Any
    client: httpx.AsyncClient
    clock: SimulatedClock
    stack: AsyncExitStack
    tokens: dict[str, str] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    register_rows: int = 0
    unknown: list[dict[str, Any]] = field(default_factory=list)
    sign_ins: list[tuple[str, str]] = field(default_factory=list)  # (name, password)

    async def call(self, method: str, url: str, who: str, *, csv: bool = False, **kw: Any) -> Any:
        """An API call as ``who`` (a key of :attr:`tokens`), a CSV body if ``csv``; a refusal
        stops the demo."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if csv:
            headers["Content-Type"] = "text/csv"
        response = await self.client.request(method, url, headers=headers, **kw)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:500]}")
        return (
            response.json()
            if "json" in response.headers.get("content-type", "")
            else response.content
        )

    async def close(self) -> None:
        """Leave the client and the app's lifespan, whose end disposes of its engine."""
        await self.stack.aclose()

    def timed(self, phase: str, started: float) -> None:
        self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - started


def _officers(run: DemoRun, streets: list[tuple[str, str]]) -> None:
    """An officer per role and place; the city, 越秀区 and its first street can also sign in to
    the console, each with a password of its own (drawn now, printed at the end)."""
    console = ["city", "440104", f"440104/{streets[0][1]}" if streets else ""]
    passwords = {key: secrets.token_urlsafe(9) for key in console}
    with session_scope(run.app.state.sessionmaker) as session:
        now, until = run.clock.now(), dt.datetime(2100, 1, 1)

        def add(
            key: str, role: Role, name: str, district: str | None = None, street: str | None = None
        ) -> None:
            run.tokens[key] = create_officer(
                session,
                name=name,
                role=role,
                district=district,
                street=street,
                at=now,
                expires_at=until,
                password=passwords.get(key),
            )[1]
            if key in passwords:
                run.sign_ins.append((name, passwords[key]))

        add("city", Role.CITY, "市民政局 养老服务处")
        add("exchange", Role.EXCHANGE, "市政务数据共享交换平台")
        add("finance", Role.FINANCE, "市财政局 社保处")
        for code, name in GUANGZHOU_DISTRICTS.items():
            add(code, Role.DISTRICT, f"{name}民政局", code)
        add(MILITARY, Role.MILITARY, "市退役军人事务局 军休处")
        for district, street in streets:
            add(
                f"{district}/{street}",
                Role.STREET,
                f"{GUANGZHOU_DISTRICTS[district]}{street}",
                district,
                street,
            )


async def _deliver(
    run: DemoRun,
    register: pl.DataFrame,
    confirmations: pl.DataFrame,
    after: dt.date,
    until: dt.date,
) -> None:
    """The register rows and confirmations known in (``after``, ``until``]."""
    started = time.perf_counter()
    rows = register.filter((pl.col("known") > after) & (pl.col("known") <= until)).drop("known")
    if rows.height:
        kind = "snapshot" if after < FIRST else "changes"
        url = (
            f"/api/intake/feeds:upload?source=public_security&kind={kind}&name=register-{until}.csv"
        )
        await run.call("POST", url, "exchange", content=rows.write_csv().encode(), csv=True)
    run.timed("intake", started)
    started = time.perf_counter()
    chosen = confirmations.filter((pl.col("confirmed") > after) & (pl.col("confirmed") <= until))
    items = [
        {
            "person_id": pid,
            "confirmed_on": day.isoformat(),
            "bank_name": "中国工商银行",
            "bank_account": f"6222{pid[6:17]}",
            "agreement": sum(map(int, pid[:17])) % 10 < AGREEMENT_SHARE,
        }
        for pid, day in chosen.select("person_id", "confirmed").iter_rows()
    ]
    # Confirmations of people whose register data has not arrived yet come back; the
    # platform sends them again with the next delivery.
    items = run.unknown + items
    run.unknown = []
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        answer = await run.call(
            "POST", "/api/confirmations/batch", "exchange", json={"items": batch}
        )
        run.unknown += [batch[place] for place in answer["unknown_items"]]
    run.timed("confirmations", started)


async def _notify_some(run: DemoRun) -> None:
    """Streets send notices for the open tasks closest to their deadline (into the outbox)."""
    started = time.perf_counter()
    tasks = (await run.call("GET", "/api/tasks?status=open&limit=100", "city"))["items"]
    for task in tasks[:NOTICES_PER_MONTH]:
        await run.call(
            "POST",
            f"/api/tasks/{task['id']}/notify",
            f"{task['district']}/{task['street']}",
            json={"channel": "letter", "recipient": f"{task['street']} {task['name']}"},
        )
    run.timed("notices", started)


async def _run_month(run: DemoRun, month: str) -> None:
    started = time.perf_counter()
    await run.call("POST", "/api/runs", "city", json={"month": month})
    run.timed("compute", started)
    started = time.perf_counter()
    progress = await run.call("GET", f"/api/runs/{month}", "city")
    for payer in progress["payers"]:
        for street in payer["streets_to_review"]:
            await run.call("POST", f"/api/runs/{month}/review", f"{payer['payer']}/{street}")
    for code in PAYERS:
        await run.call("POST", f"/api/runs/{month}/approve", code)
    run.timed("review and approval", started)
    started = time.perf_counter()
    folder = run.out / "bank" / month
    folder.mkdir(parents=True, exist_ok=True)
    for code in PAYERS:
        (folder / f"bank-{month}-{code}.csv").write_bytes(
            await run.call("GET", f"/api/runs/{month}/bank-file.csv", code)
        )
    run.timed("bank files", started)
    run.months.append(month)


async def simulate(out: Path, people: int, seed: int, progress: Progress) -> DemoRun:
    """Run the demo into ``out`` (database, bank files); the state for the report."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = write_synthetic_register(out / "data", people, seed, dt.date(2022, 12, 31))
    register = pl.read_csv(files.register, infer_schema=False).with_columns(
        known=pl.col("known_on").str.to_date()
    )
    confirmations = pl.read_csv(files.confirmations, infer_schema=False).with_columns(
        confirmed=pl.col("confirmed_on").str.to_date()
    )
    database = out / "gzlongevity-demo.sqlite"
    for stale in out.glob("gzlongevity-demo.sqlite*"):
        stale.unlink()
    clock = SimulatedClock(dt.datetime(2021, 8, 2, 8))
    app = create_app(database_url=f"sqlite:///{database}", clock=clock)
    # The requests go through the app in this event loop (httpx's ASGI transport), its sync
    # endpoints in anyio's worker threads: Starlette's TestClient would hand each request to a
    # loop in a thread of its own and back, two thread switches more per request.
    stack = AsyncExitStack()
    await stack.enter_async_context(app.router.lifespan_context(app))
    client = await stack.enter_async_context(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    )
    run = DemoRun(out, people, app, client, clock, stack, register_rows=register.height)
    streets = sorted(
        {
            (d, s)
            for d, s in register.filter(pl.col("street") != "")
            .select("district", "street")
            .iter_rows()
        }
    )
    _officers(run, streets)
    for n, (code, name) in enumerate(PAYERS.items(), start=1):
        await run.call(
            "PUT",
            f"/api/payers/{code}",
            "city",
            json={
                "account_name": f"{name}长寿保健金专户",
                "account_number": f"36020001{n:08d}",
                "bank": "中国工商银行广州分行",
            },
        )
    standards = pl.read_csv(files.standards, infer_schema=False)
    for district, tier, amount, from_month in standards.iter_rows():
        await run.call(
            "POST",
            "/api/rules/standards",
            "city",
            json={
                "district": district,
                "tier": int(tier),
                "monthly_cny": amount,
                "from_month": max(from_month, "2021-09"),
            },
        )
    run.timed("setup", started)
    progress(f"合成名册 {people:,} 人、{register.height:,} 行户籍事件")
    after = dt.date(2000, 1, 1)
    month_start = FIRST
    while month_start <= LAST:
        run_day = month_start.replace(day=RUN_DAY)
        month_end = add_months(month_start, 1) - dt.timedelta(days=1)
        clock.set(dt.datetime.combine(run_day, dt.time(9)))
        await _deliver(run, register, confirmations, after, run_day)
        started = time.perf_counter()
        await run.call("POST", "/api/admin/sweep", "city")
        run.timed("sweep", started)
        await _notify_some(run)
        month = month_text(month_start.year * 12 + month_start.month - 1)
        if month_start >= dt.date(2021, 9, 1):
            await _run_month(run, month)
            spent = ", ".join(f"{k} {v:.0f}s" for k, v in run.timings.items())
            progress(f"{month} 发放已审批（累计 {spent}）")
        clock.set(dt.datetime.combine(month_end, dt.time(18)))
        await _deliver(run, register, confirmations, run_day, month_end)
        after = month_end
        month_start = add_months(month_start, 1)
    return run
