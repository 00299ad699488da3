"""The demo's quarter, driven through the platform's HTTP API on a simulated clock.

Every step a real programme takes goes through the service as its users would send it:
the operator enrols and reviews applicants, the regulator clears the publicity, meter data is
uploaded, the operator checks the trigger and publishes invitations, participants' systems bid
(some late or over their capability, and are refused), the scheduler ranks and notifies, loads
respond as each participant behaves, the next morning's meter data triggers evaluation, and the
quarter is settled. Only the "truth" — what the meters will read — is simulated here.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
import itertools
import secrets
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from gzkit.calendar import Calendar
from gzkit.clock import SimulatedClock, SystemClock
from gzkit.db import session_scope
from gzvpp.accounts.passwords import set_password
from gzvpp.app import create_app
from gzvpp.console.labels import zh
from gzvpp.core.grid import interval_starts
from gzvpp.demo.city import DELIVERY, Applicant, applicants
from gzvpp.demo.synthetic import (
    SUBSTATIONS,
    SyntheticAccounts,
    account_loads,
    daily_max_temperature,
    day_type_indices,
    make_accounts,
    system_load,
)
from gzvpp.kit import settings
from gzvpp.kit.auth import create_user
from gzvpp.kit.policy import token_ttl
from gzvpp.models import Role
from gzvpp.openadr.runtime import Settings as OpenADRSettings

with warnings.catch_warnings():
    # Starlette suggests another HTTP client for its test client; the in-process one is fine here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ProgressHook = Callable[[str, int, int], None]
# One sign-in per role in out/tokens.txt, in this order; the metering identity's is for the API.
SIGN_IN_ROLES = (
    Role.GRID_OPERATOR, Role.REGULATOR, Role.METERING, Role.AGGREGATOR, Role.POWER_USER,
)  # fmt: skip


@dataclass(frozen=True)
class DemoSize:
    """How much city and how much time the demo simulates."""

    users: int = 300
    member_accounts: int = 720
    history_start: dt.date = dt.date(2024, 6, 1)
    first_day: dt.date = dt.date(2025, 7, 1)
    last_day: dt.date = dt.date(2025, 9, 30)
    realtime_days: int = 6  # the hottest days also get a real-time event


@dataclass
class Tally:
    """What happened, for the summary."""

    applications: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    bids: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    trigger_days: int = 0
    uploads: int = 0
    values_uploaded: int = 0
    evaluations: int = 0


@dataclass(frozen=True)
class SignIn:
    """One of the demo's users: who it acts as (the participant's name for an aggregator or a
    power user), its token (the API, or the console for a machine or a test) and, except for
    the metering identity, which has no console, the password a person signs in with."""

    role: Role
    name: str
    token: str
    password: str | None


@dataclass(frozen=True)
class DemoRun:
    """Handles the report needs after the run."""

    client: TestClient
    operator: dict[str, str]
    tally: Tally
    days: list[dt.date]
    system_mw: np.ndarray
    last_year_max_mw: float
    participants: dict[str, str]  # applicant key → participant id (active only)
    applicants: list[Applicant]
    event_ids: list[str]
    tokens: list[SignIn]  # the first user of each role, in SIGN_IN_ROLES order


class Agenda:
    """The timed actions of one simulated day, run in time order on the simulated clock."""

    def __init__(self) -> None:
        self._heap: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, moment: dt.datetime, action: Callable[[], None]) -> None:
        """Do ``action`` at ``moment`` (actions at the same time keep their order)."""
        heapq.heappush(self._heap, (moment, next(self._order), action))

    def run(self, clock: SimulatedClock) -> None:
        """Run every action, the ones they add included, moving the clock forward to each."""
        while self._heap:
            moment, _, action = heapq.heappop(self._heap)
            if moment > clock.now():
                clock.set(moment)
            action()


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _fmt(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}"


class Simulation:
    """One demo run: build the city, enrol it, and play the quarter."""

    def __init__(self, size: DemoSize, seed: int, db: Path, on_progress: ProgressHook) -> None:
        self.size = size
        self.rng = np.random.default_rng(seed)
        self.progress = on_progress
        self.calendar = Calendar()
        self.days = [
            size.history_start + dt.timedelta(days=k)
            for k in range((size.last_day - size.history_start).days + 2)
        ]
        self.index = {d: i for i, d in enumerate(self.days)}
        n_accounts = size.users + size.member_accounts
        self.accounts: SyntheticAccounts = make_accounts(n_accounts, self.rng)
        day_types = day_type_indices(self.days, self.calendar)
        self.temperature = daily_max_temperature(self.days, self.rng)
        self.loads = account_loads(
            self.accounts, slice(0, n_accounts), day_types, self.temperature, self.rng
        )
        self.system = system_load(day_types, self.temperature, self.rng)
        self.clock = SimulatedClock(dt.datetime.combine(size.first_day, dt.time(9)))
        # Tokens outlive the simulated quarter and, for the console sign-in of out/tokens.txt
        # under `gzvpp serve` (the real clock), the token lifetime after the demo is run.
        quarter_done = dt.datetime.combine(size.last_day + dt.timedelta(days=31), dt.time())
        self.tokens_expire = max(quarter_done, SystemClock().now()) + token_ttl()
        db.parent.mkdir(parents=True, exist_ok=True)
        for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            stale.unlink(missing_ok=True)
        # No field systems are connected in the demo, so no MQTT broker is needed (or assumed).
        self.app = create_app(
            database_url=f"sqlite:///{db}",
            clock=self.clock,
            openadr_settings=OpenADRSettings(mqtt_url=None),
        )
        # entered once: one event loop for every request, not one per request
        self.client = TestClient(self.app).__enter__()
        self.tally = Tally()
        self.tokens: dict[str, dict[str, str]] = {}
        self.sign_in: dict[Role, SignIn] = {}
        self.participants: dict[str, str] = {}
        self.by_id: dict[str, Applicant] = {}
        self.event_ids: list[str] = []
        self.bids_planned = 0
        self.last_year_max_mw = 0.0  # from the first trigger check
        self.held_rows: np.ndarray = np.zeros(0, dtype=np.int64)

    # --- set-up ---------------------------------------------------------------------------

    def _user(self, role: Role, name: str, participant_id: str | None = None) -> dict[str, str]:
        first = role not in self.sign_in
        password = None
        with session_scope(self.app.state.sessionmaker) as session:
            user, token = create_user(
                session, name=name, role=role, participant_id=participant_id,
                at=self.clock.now(), actor="demo", expires_at=self.tokens_expire,
            )  # fmt: skip
            if first and role is not Role.METERING:
                # Random: the demo database is served, and its passwords are in out/tokens.txt.
                password = secrets.token_urlsafe(9)
                set_password(session, "demo", self.clock.now(), user.id, password)
        if first:
            self.sign_in[role] = SignIn(role, name, token, password)
        return _headers(token)

    def _call(self, method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
        response = self.client.request(method, url, headers=headers, **kw)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {url} → {response.status_code}: {response.text}")
        return response.json()

    def _pages(self, url: str) -> list[dict[str, Any]]:
        """Every item of a paged list endpoint, as the operator sees it."""
        items: list[dict[str, Any]] = []
        for page in itertools.count(1):
            body = self._call("GET", url, self.operator, params={"page": page, "limit": 100})
            items.extend(body["items"])
            if page >= body["pagination"]["max_page"]:
                return items
        raise AssertionError("unreachable")

    def enrol(self) -> None:
        """Applications, grid review, publicity (公示) and agreements (第六条)."""
        size = self.size
        start = dt.datetime.combine(size.first_day - dt.timedelta(days=25), dt.time(9))
        self.clock.set(start)
        self.operator = self._user(Role.GRID_OPERATOR, "广州供电局 调度员")
        self.regulator = self._user(Role.REGULATOR, "市工信局 审核员")
        # Settlement meter data comes from the metering system alone (第九条).
        self.metering = self._user(Role.METERING, "广州供电局 计量自动化系统")
        history = slice(
            self.index[size.first_day - dt.timedelta(days=365)], self.index[size.first_day]
        )
        max_load = self.loads[:, history].max(axis=(1, 2))
        people = applicants(self.accounts, max_load, size.users, self.rng)
        self.applicants = people
        ids = {}
        for k, person in enumerate(people):
            body = self._call("POST", "/api/participants", self.operator, json=person.payload)
            ids[person.key] = body["id"]
            self.progress("enrolment", k + 1, len(people) * 2)
        self.tally.applications = len(people)
        self.clock.set(start + dt.timedelta(days=1))
        publicity_ends = start + dt.timedelta(days=1)
        for person in people:
            pid = ids[person.key]
            self._call("POST", f"/api/participants/{pid}/start-review", self.operator)
            response = self.client.post(
                f"/api/participants/{pid}/pass-review", headers=self.operator
            )
            if response.status_code == 409:  # the review found an R1 condition unmet
                checks = self._call("GET", f"/api/participants/{pid}", self.operator)
                reason = "；".join(
                    zh(c["message"]) for c in checks["eligibility"] if not c["passed"]
                )
                self._call(
                    "POST", f"/api/participants/{pid}/reject", self.operator,
                    json={"reason": reason[:500]},
                )  # fmt: skip
                self.tally.rejected.append((person.name, reason))
            else:
                ends = dt.datetime.fromisoformat(response.json()["publicity_ends_at"])
                publicity_ends = max(publicity_ends, ends)
        # The regulator closes every 公示 once its working days are over (第六条).
        self.clock.set(max(start + dt.timedelta(days=9), publicity_ends))
        for k, person in enumerate(people):
            pid = ids[person.key]
            if any(name == person.name for name, _ in self.tally.rejected):
                continue
            self._call("POST", f"/api/participants/{pid}/clear-publicity", self.regulator)
            # one agreement a minute: signing order is criterion d of real-time selection, and
            # equal times would leave it to the (random) participant ids
            self.clock.advance(dt.timedelta(minutes=1))
            self._call("POST", f"/api/participants/{pid}/activate", self.operator)
            role = Role.AGGREGATOR if person.kind == "aggregator" else Role.POWER_USER
            self.tokens[person.key] = self._user(role, person.name, pid)
            self.participants[person.key] = pid
            self.by_id[pid] = person
            self.progress("enrolment", len(people) + k + 1, len(people) * 2)
        self.held_rows = np.array(
            sorted(r for p in people if p.key in self.participants for r in p.rows), dtype=np.int64
        )

    # --- meter data -----------------------------------------------------------------------

    def upload_days(self, days: list[dt.date]) -> None:
        """The metering system uploads the days' meter loads and system load as Parquet (第九条)."""
        positions = [self.index[d] for d in days]
        stamps = interval_starts(days).ravel()
        rows = self.held_rows
        ids = np.asarray(self.accounts.account_ids)[rows]
        loads = pa.table(
            {
                "account_id": pa.DictionaryArray.from_arrays(
                    pa.array(np.repeat(np.arange(len(rows), dtype=np.int32), stamps.size)),
                    pa.array(ids),
                ),
                "ts": pa.array(np.tile(stamps, len(rows)), pa.timestamp("s")),
                "kw": self.loads[rows[:, None], positions].ravel(),
            }
        )
        system = pa.table(
            {"ts": pa.array(stamps, pa.timestamp("s")), "mw": self.system[positions].ravel()}
        )
        for url, table, name in (
            ("/api/meterdata/system-load:upload", system, "system.parquet"),
            ("/api/meterdata/loads:upload", loads, "loads.parquet"),
        ):
            buffer = io.BytesIO()
            pq.write_table(table, buffer)
            summary = self._call(
                "POST", url, self.metering, files={"file": (name, buffer.getvalue())}
            )
            self.tally.uploads += 1
            self.tally.values_uploaded += summary["values"]
            self.tally.evaluations += sum(
                1 for e in summary["evaluations"] if e.get("outcome") == "evaluated"
            )

    def upload_history(self) -> None:
        """Thirteen months of history before the quarter, a month per upload."""
        history = [d for d in self.days if d < self.size.first_day]
        # The metering system sends history it has: every interval must have ended (第九条).
        self.clock.set(dt.datetime.combine(self.size.first_day, dt.time()))
        months = [list(g) for _, g in itertools.groupby(history, key=lambda d: (d.year, d.month))]
        for k, month in enumerate(months):
            self.upload_days(month)
            self.progress("meter history", k + 1, len(months))

    # --- the quarter ----------------------------------------------------------------------

    def run_quarter(self) -> None:
        """Day by day: upload yesterday's data, check the trigger, invite, bid, rank, respond."""
        quarter = [d for d in self.days if self.size.first_day <= d <= self.size.last_day]
        hottest = sorted(quarter, key=lambda d: -self.temperature[self.index[d]])
        realtime_days = set(hottest[: self.size.realtime_days])
        agenda = Agenda()  # one for the quarter: an evening's plan may act the next morning
        for k, day in enumerate(quarter):
            yesterday, tomorrow = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
            agenda.at(dt.datetime.combine(day, dt.time(7)), partial(self.upload_days, [yesterday]))
            if tomorrow <= self.size.last_day:
                agenda.at(
                    dt.datetime.combine(day, dt.time(8, 30)),
                    partial(self.plan_day_ahead, tomorrow, agenda),
                )
            if day in realtime_days:
                agenda.at(
                    dt.datetime.combine(day, dt.time(16, 20)),
                    partial(self.dispatch_realtime, day),
                )
            agenda.at(
                dt.datetime.combine(day, dt.time(23, 59)),
                partial(self.progress, "quarter", k + 1, len(quarter)),
            )
        agenda.run(self.clock)
        self.clock.set(dt.datetime.combine(self.size.last_day + dt.timedelta(days=1), dt.time(7)))
        self.upload_days([self.size.last_day])

    def plan_day_ahead(self, day: dt.date, agenda: Agenda) -> None:
        """D-1 08:30: the operator checks tomorrow's forecast against the trigger (第七条)."""
        truth = float(self.system[self.index[day]].max())
        forecast = truth * float(self.rng.normal(1.0, 0.01))
        check = self._call(
            "GET", "/api/events/trigger-check", self.operator,
            params={"day": day.isoformat(), "forecast_max_mw": f"{forecast:.1f}"},
        )  # fmt: skip
        self.last_year_max_mw = float(check["last_year_max_mw"] or 0)
        valley = day.weekday() == 6 and day.day <= 7  # first Sunday: a night valley event
        if not check["triggered"] and not valley:
            return
        if check["triggered"]:
            self.tally.trigger_days += 1
        hours_ahead = not valley and self.tally.trigger_days % 4 == 0
        bidding = day.month > self.size.first_day.month  # fixed price first, then bidding
        if valley:
            window, direction, price = (dt.time(3), dt.time(5)), "valley", "1.20"
        else:
            window, direction, price = (dt.time(14), dt.time(16)), "peak", "3.50"
        # Every other peak event answers a local overload (第七条 (一) 2): half the substations.
        local = not valley and self.tally.trigger_days % 2 == 1
        scope = sorted(self.rng.choice(SUBSTATIONS, size=6, replace=False)) if local else []
        fleet = sum(p.capability_kw for p in self.by_id.values() if self._in_scope(p, scope))
        demand = (fleet * Decimal(str(round(float(self.rng.uniform(0.2, 0.42)), 2)))).quantize(
            Decimal(1)
        )
        request: dict[str, Any] = {
            "direction": direction,
            "mode": "hours_ahead" if hours_ahead else "day_ahead",
            "start_at": _fmt(dt.datetime.combine(day, window[0])),
            "end_at": _fmt(dt.datetime.combine(day, window[1])),
            "demand_kw": str(demand),
            "price_mode": "bidding" if bidding else "fixed",
            "fixed_price": None if bidding else price,
            "scope": {"substations": scope, "feeders": []},
        }
        if direction == "peak":
            request["forecast_max_mw"] = f"{forecast:.1f}"
        if hours_ahead:  # published on D at 09:30 for 14:00, bids within the hour
            opens = dt.datetime.combine(day, dt.time(9, 30))
            closes, tick = opens + dt.timedelta(hours=1), opens + dt.timedelta(hours=1, minutes=1)
        else:
            opens = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(9))
            closes = opens + dt.timedelta(hours=2)
            tick = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(12))
        publish = opens if hours_ahead else self.clock.now()
        agenda.at(publish, partial(self.publish, request, opens, closes, tick, agenda))

    def publish(
        self,
        request: dict[str, Any],
        opens: dt.datetime,
        closes: dt.datetime,
        tick: dt.datetime,
        agenda: Agenda,
    ) -> None:
        """Publish the invitation and schedule the participants' bids and the ranking."""
        event = self._call("POST", "/api/events", self.operator, json=request)
        event_id = event["id"]
        self.event_ids.append(event_id)
        self.tally.events[request["mode"]] += 1
        span = (closes - opens).total_seconds()
        scope = request["scope"]["substations"]
        for pid, person in self.by_id.items():
            if not self._in_scope(person, scope):
                continue  # not invited: its system has nothing to answer
            if self.rng.random() > 0.55:  # about 55 % of those invited answer
                continue
            share = float(self.rng.uniform(0.6, 1.0))
            moment = opens + dt.timedelta(seconds=float(self.rng.uniform(0, span - 60)))
            self.bids_planned += 1
            if self.bids_planned % 30 == 7:  # one bid in 30: the EMS misses the deadline
                moment = closes + dt.timedelta(minutes=int(self.rng.integers(1, 20)))
            elif self.bids_planned % 30 == 22:  # one in 30 asks for more than its capability
                share = 1.25
            kw = (person.capability_kw * Decimal(str(round(share, 3)))).quantize(Decimal("0.1"))
            bid: dict[str, Any] = {"kw": str(kw)}
            if request["price_mode"] == "bidding":
                cap = 5.0 if request["direction"] == "peak" else 2.0
                bid["price"] = f"{cap * float(self.rng.uniform(0.4, 0.96)):.2f}"
            agenda.at(moment, partial(self.bid, event_id, pid, bid))
        agenda.at(tick, partial(self.rank, event_id))

    def _in_scope(self, person: Applicant, substations: list[str]) -> bool:
        """Whether an event scoped to ``substations`` (none: everywhere) reaches ``person``."""
        return not substations or any(
            self.accounts.substation[r] in substations for r in person.rows
        )

    def bid(self, event_id: str, participant_id: str, bid: dict[str, Any]) -> None:
        """A participant's energy-management system answers the invitation."""
        person = self.by_id[participant_id]
        response = self.client.post(
            f"/api/events/{event_id}/bids", headers=self.tokens[person.key], json=bid
        )
        self.tally.bids += 1
        if response.status_code >= 400:
            self.tally.refused[_refusal(str(response.json().get("detail", "")))] += 1

    def rank(self, event_id: str) -> None:
        """The scheduler closes bidding, ranks to 150 % and notifies; then the day happens."""
        self._call("POST", "/api/admin/tick", self.operator)
        self.respond(event_id)

    def dispatch_realtime(self, day: dt.date) -> None:
        """16:20 on a hot afternoon: a real-time event for 16:30–17:30, capacity 8 % of fleet."""
        fleet = sum(p.capability_kw for p in self.by_id.values() if p.realtime)
        request = {
            "direction": "peak",
            "mode": "realtime",
            "start_at": _fmt(dt.datetime.combine(day, dt.time(16, 30))),
            "end_at": _fmt(dt.datetime.combine(day, dt.time(17, 30))),
            "demand_kw": str((fleet * Decimal("0.3")).quantize(Decimal(1))),
            "price_mode": "fixed",
            "fixed_price": "4.00",
        }
        event = self._call("POST", "/api/events", self.operator, json=request)
        self.event_ids.append(event["id"])
        self.tally.events["realtime"] += 1
        self.respond(event["id"])

    def respond(self, event_id: str) -> None:
        """What the meters will read: each awarded participant delivers per its behaviour."""
        event = self._call("GET", f"/api/events/{event_id}", self.operator)
        awards = self._pages(f"/api/events/{event_id}/awards")
        start = dt.datetime.fromisoformat(event["start_at"])
        end = dt.datetime.fromisoformat(event["end_at"])
        day = self.index[start.date()]
        first = (start.hour * 60 + start.minute) // 15
        last = first + int((end - start).total_seconds() // 900)
        sign = -1.0 if event["direction"] == "peak" else 1.0
        for award in awards:
            person = self.by_id[award["participant_id"]]
            low, high = DELIVERY[person.behaviour]
            delivered = float(award["kw"]) * float(self.rng.uniform(low, high))
            rows = np.array(person.rows)
            share = self.accounts.base_kw[rows] / self.accounts.base_kw[rows].sum()
            window = self.loads[rows, day, first:last]
            self.loads[rows, day, first:last] = np.maximum(
                window + sign * delivered * share[:, None], 0.0
            ).round(1)

    def close(self) -> None:
        """Shut the in-process app down (its lifespan), after the report has read from it."""
        self.client.__exit__(None, None, None)

    def run(self) -> DemoRun:
        """Everything, in order."""
        self.enrol()
        self.upload_history()
        self.run_quarter()
        self.clock.set(dt.datetime.combine(self.size.last_day + dt.timedelta(days=8), dt.time(10)))
        # `gzvpp serve` on this database opens at the demo's own time, not today.
        with session_scope(self.app.state.sessionmaker) as session:
            settings.record_demo_clock(session, self.clock.now())
        return DemoRun(
            client=self.client,
            operator=self.operator,
            tally=self.tally,
            days=self.days,
            system_mw=self.system,
            last_year_max_mw=self.last_year_max_mw,
            participants=self.participants,
            applicants=self.applicants,
            event_ids=self.event_ids,
            tokens=[self.sign_in[role] for role in SIGN_IN_ROLES],
        )


def _refusal(detail: str) -> str:
    """Sort a refused bid by its reason, for the summary."""
    text = detail.lower()
    for key, words in (
        ("late", ("deadline", "截止", "closed", "late")),
        ("over capability", ("capability", "能力")),
        ("suspended", ("suspend", "暂停", "停止")),
        ("daily limit", ("limit", "上限")),
    ):
        if any(w in text for w in words):
            return key
    return "other"
