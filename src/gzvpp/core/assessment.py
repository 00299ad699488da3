"""One event's evaluation end to end: baselines, adjustment, evaluation, score and subsidy.

This is the single path every caller takes — ``gzvpp evaluate``, the platform service and the
demo — so each rule of R4–R7 is applied in exactly one place. Work is vectorised over the
event's awards and their member accounts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import numpy as np

from gzkit.calendar import Calendar
from gzvpp.core.adjustment import adjustment_factor, adjustment_window
from gzvpp.core.baseline import (
    BASELINE_REALTIME,
    LOOKBACK_DAYS,
    REALTIME_BASELINE_INTERVALS,
    baseline_candidates,
    baseline_curve,
    choose_baseline_days,
    complete_days,
    realtime_baseline,
)
from gzvpp.core.evaluation import (
    WindowStats,
    is_effective,
    is_non_execution,
    response_kw,
    response_ratio,
    window_stats,
)
from gzvpp.core.grid import INTERVALS_PER_DAY, Window
from gzvpp.core.model import Event, Mode, Participant
from gzvpp.core.rounding import FEN, round_half_up, to_decimal
from gzvpp.core.scoring import response_score
from gzvpp.core.subsidy import (
    ENERGY_DECIMALS,
    RESPONSE_COEFFICIENT,
    effective_energy_kwh,
    response_energy_kwh,
    subsidy_cny,
    subsidy_price,
)
from gzvpp.core.timeseries import BoolArray, FloatArray, IntArray, IntervalCube, date_of, day_number

FACTOR_DECIMALS = 6
NO_DAYS: IntArray = np.zeros(0, dtype=np.int64)


class Status(StrEnum):
    """Whether a response could be evaluated (R4, R5)."""

    OK = "ok"
    BASELINE_UNAVAILABLE = "baseline_unavailable"
    MISSING_DATA = "missing_data"


def response_days(events: Iterable[Event]) -> dict[str, IntArray]:
    """Each participant's response days (R4): dates it held an award in a non-cancelled event.

    Every date the event's window touches is a response day (RULES.md R4, reading): a 23:00–01:00
    valley window makes both dates response days, while a window ending exactly at 00:00
    touches only its start date (its last interval starts at 23:45).

    Returns
    -------
    dict of participant id to sorted unique day numbers
    """
    days: defaultdict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.cancelled:
            continue
        window = event.window
        first = day_number(window.day)
        last = first + (window.first_interval + window.n_intervals - 1) // INTERVALS_PER_DAY
        for award in event.awards:
            days[award.participant_id].update(range(first, last + 1))
    return {pid: np.array(sorted(d), dtype=np.int64) for pid, d in days.items()}


def responded_on(days: IntArray, histories: Sequence[IntArray]) -> BoolArray:
    """Whether each participant responded on each day: shape (n_participants, n_days).

    One ``isin`` over (participant, day) keys rather than one per participant, which matters
    with thousands of awards per event.
    """
    owner = np.repeat(np.arange(len(histories), dtype=np.int64), [len(h) for h in histories])
    held = (owner << 32) + np.concatenate([NO_DAYS, *histories])
    wanted = (np.arange(len(histories), dtype=np.int64)[:, None] << 32) + days[None, :]
    result: BoolArray = np.isin(wanted, held)
    return result


@dataclass(frozen=True)
class MemberRows:
    """The meter accounts behind a list of participants, one row each, grouped by participant.

    Attributes
    ----------
    rows : ndarray of int, shape (n_members,)
        Row of each account in the load cube.
    owner : ndarray of int, shape (n_members,)
        Index of the participant (in the list given) that each account belongs to.
    starts : ndarray of int, shape (n_participants,)
        First member row of each participant (rows are contiguous per participant).
    """

    rows: IntArray
    owner: IntArray
    starts: IntArray

    @classmethod
    def of(cls, participants: Sequence[Participant], loads: IntervalCube) -> MemberRows:
        """Look up every participant's accounts in ``loads``."""
        sizes = np.array([len(p.accounts) for p in participants], dtype=np.int64)
        accounts = [a for p in participants for a in p.accounts]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        owner = np.repeat(np.arange(len(participants), dtype=np.int64), sizes)
        return cls(loads.rows(accounts), owner, starts)

    def total(self, member_values: FloatArray) -> FloatArray:
        """Sum member rows into one row per participant (负荷聚合商 = Σ 代理用户, R4)."""
        result: FloatArray = np.add.reduceat(member_values, self.starts, axis=0)
        return result

    def any(self, member_flags: BoolArray) -> BoolArray:
        """True for a participant where any of its members is flagged."""
        result: BoolArray = np.logical_or.reduceat(member_flags, self.starts)
        return result


@dataclass(frozen=True)
class Baselines:
    """Unadjusted baselines of several participants over one window (R4).

    Attributes
    ----------
    baseline_type : str
        ``workday``, ``restday``, ``holiday`` or ``realtime``.
    members : MemberRows
    candidate_days : ndarray of int, shape (n_candidates,)
    chosen : ndarray of bool, shape (n_members, n_candidates)
        Each member account's baseline days (none for real-time).
    member_curves : ndarray, shape (n_members, n_intervals)
        kW; NaN for a member whose baseline is unavailable.
    """

    baseline_type: str
    members: MemberRows
    candidate_days: IntArray
    chosen: BoolArray
    member_curves: FloatArray

    @property
    def member_unavailable(self) -> BoolArray:
        """Members with no baseline (``baseline_unavailable``)."""
        result: BoolArray = np.any(np.isnan(self.member_curves), axis=1)
        return result

    def participant_days(self) -> tuple[tuple[dt.date, ...], ...]:
        """Each participant's baseline days: the union over its members, ascending."""
        if not self.chosen.shape[1]:
            return tuple(() for _ in self.members.starts)
        union = np.logical_or.reduceat(self.chosen, self.members.starts, axis=0)
        order = np.argsort(self.candidate_days)
        return tuple(
            tuple(date_of(d) for d in self.candidate_days[order][row[order]]) for row in union
        )


def participant_baselines(
    window: Window,
    mode: Mode,
    participants: Sequence[Participant],
    loads: IntervalCube,
    calendar: Calendar,
    history: Mapping[str, IntArray],
    lookback_days: int = LOOKBACK_DAYS,
) -> Baselines:
    """Choose baseline days and build each member's unadjusted baseline curve (R4).

    Parameters
    ----------
    window : Window
        The event window W on response day D.
    mode : Mode
        ``realtime`` takes the real-time baseline whatever the day type.
    participants : sequence of Participant
    loads : IntervalCube
        15-minute loads, kW, holding every account of ``participants``.
    calendar : Calendar
    history : mapping of participant id to day numbers
        Response days (see :func:`response_days`); they never serve as baseline days.
    lookback_days : int
        Search depth for workday and restday baselines (default 60).
    """
    members = MemberRows.of(participants, loads)
    day = np.array([day_number(window.day)])
    if mode is Mode.REALTIME:
        before = loads.take(
            members.rows,
            day,
            window.first_interval - REALTIME_BASELINE_INTERVALS,
            REALTIME_BASELINE_INTERVALS,
        )[:, 0, :]
        return Baselines(
            BASELINE_REALTIME,
            members,
            NO_DAYS,
            np.zeros((len(members.rows), 0), dtype=bool),
            realtime_baseline(before, window.n_intervals),
        )
    candidates = baseline_candidates(window.day, calendar, lookback_days)
    window_loads = loads.take(
        members.rows, candidates.days, window.first_interval, window.n_intervals
    )
    responded = responded_on(candidates.days, [history.get(p.id, NO_DAYS) for p in participants])
    responded = responded[members.owner]
    qualifying = candidates.type_match[None, :] & ~responded & complete_days(window_loads)
    chosen = choose_baseline_days(candidates, qualifying)
    return Baselines(
        candidates.baseline_type,
        members,
        candidates.days,
        chosen,
        baseline_curve(window_loads, chosen),
    )


@dataclass(frozen=True)
class EventAssessment:
    """Results of one event, one entry per award in the event's order (R4–R7).

    kW and kWh arrays are NaN where the status is not ``ok``; curves are per award over W.
    """

    event: Event
    baseline_type: str
    status: tuple[Status, ...]
    baseline_days: tuple[tuple[dt.date, ...], ...]
    adjustment_factor: FloatArray
    baseline_unadjusted: FloatArray
    baseline: FloatArray
    actual: FloatArray
    baseline_stats: WindowStats
    actual_stats: WindowStats
    awarded_kw: FloatArray
    response_kw: FloatArray
    response_ratio: FloatArray
    effective: BoolArray
    non_execution: BoolArray
    score: FloatArray
    response_energy_kwh: FloatArray
    effective_energy_kwh: FloatArray
    price: tuple[Decimal, ...]
    coefficient: Decimal
    subsidy_cny: tuple[Decimal, ...]
    # Per member account, rows in award order (``members.starts``): the adjusted baseline and
    # the metered load over W, kW; an aggregator's curves above are their sums (R4).
    members: MemberRows
    member_baseline: FloatArray
    member_actual: FloatArray


@dataclass(frozen=True)
class MemberShare:
    """One member account's part of an award's result: window averages, kW, and its response
    by the award's rule (R4, R6); the members' figures sum to the award's, to within their
    rounding to 0.001 kW."""

    account_id: str
    baseline_avg_kw: float
    actual_avg_kw: float
    response_kw: float


def member_shares(
    assessment: EventAssessment, award: int, accounts: Sequence[str]
) -> list[MemberShare]:
    """The member breakdown of award ``award`` of ``assessment`` (its participant's
    ``accounts``, in the order the assessment was given them); empty unless its status is ok.

    The response of each member is :func:`response_kw` of its own window averages, so the
    members' responses add up to the award's (the averages are linear), to within rounding.
    """
    if assessment.status[award] is not Status.OK:
        return []
    first = int(assessment.members.starts[award])
    rows = slice(first, first + len(accounts))
    baseline = window_stats(assessment.member_baseline[rows]).avg
    actual = window_stats(assessment.member_actual[rows]).avg
    response = response_kw(baseline, actual, assessment.event.direction)
    return [
        MemberShare(account, float(b), float(a), float(r))
        for account, b, a, r in zip(accounts, baseline, actual, response, strict=True)
    ]


def assess_event(
    event: Event,
    participants: Mapping[str, Participant],
    loads: IntervalCube,
    system_load: IntervalCube,
    calendar: Calendar,
    history: Mapping[str, IntArray],
    lookback_days: int = LOOKBACK_DAYS,
) -> EventAssessment:
    """Evaluate every award of one event (第九条).

    Parameters
    ----------
    event : Event
        A non-cancelled event with its awards.
    participants : mapping of id to Participant
    loads : IntervalCube
        15-minute loads in kW of every account involved, over D and the candidate days.
    system_load : IntervalCube
        Guangzhou system load (广州统调负荷) in MW, single series.
    calendar : Calendar
    history : mapping of participant id to day numbers
        Response days (:func:`response_days`).
    lookback_days : int
        Workday/restday baseline search depth (default 60).

    Returns
    -------
    EventAssessment
    """
    window, mode = event.window, event.mode
    parts = [participants[a.participant_id] for a in event.awards]
    base = participant_baselines(window, mode, parts, loads, calendar, history, lookback_days)
    members = base.members
    day = np.array([day_number(window.day)])

    if mode.invited:
        first, length = adjustment_window(window)
        factor = adjustment_factor(
            system_load.take(np.array([0]), day, first, length)[0, 0],
            system_load.take(np.array([0]), base.candidate_days, first, length)[0],
            base.chosen,
        )
    else:
        factor = np.ones(len(members.rows))
    actual_members = loads.take(members.rows, day, window.first_interval, window.n_intervals)
    actual_members = actual_members[:, 0, :]
    unavailable = members.any(base.member_unavailable)
    missing = members.any(np.isnan(factor) | np.isnan(actual_members).any(axis=1))
    status = tuple(
        Status.BASELINE_UNAVAILABLE if u else Status.MISSING_DATA if m else Status.OK
        for u, m in zip(unavailable.tolist(), missing.tolist(), strict=True)
    )
    ok = ~(unavailable | missing)

    blank = np.where(ok[:, None], 0.0, np.nan)  # NaN out every figure of a result that is not ok
    unadjusted = members.total(base.member_curves) + blank
    adjusted = members.total(base.member_curves * factor[:, None]) + blank
    actual = members.total(actual_members) + blank
    with np.errstate(invalid="ignore", divide="ignore"):
        award_factor = round_half_up(adjusted.mean(axis=1) / unadjusted.mean(axis=1), 6)
    if not mode.invited:
        award_factor = np.where(ok, 1.0, np.nan)

    baseline_stats, actual_stats = window_stats(adjusted), window_stats(actual)
    awarded = np.array([float(a.kw) for a in event.awards])
    response = response_kw(baseline_stats.avg, actual_stats.avg, event.direction)
    ratio = response_ratio(response, awarded)
    effective = is_effective(event.direction, baseline_stats, actual_stats, ratio) & ok
    non_execution = is_non_execution(ratio) & ok
    score = response_score(ratio) if mode.invited else np.full(len(awarded), np.nan)
    response_energy = response_energy_kwh(response, window.hours)
    effective_energy = np.where(
        ok, effective_energy_kwh(response, awarded, effective, window.hours), np.nan
    )
    prices = tuple(subsidy_price(a.price, event.price, event.direction) for a in event.awards)
    coefficient = RESPONSE_COEFFICIENT[mode]
    subsidies = tuple(
        subsidy_cny(to_decimal(energy, ENERGY_DECIMALS), price, coefficient)
        if good
        else Decimal(0).quantize(FEN)
        for energy, price, good in zip(effective_energy.tolist(), prices, ok.tolist(), strict=True)
    )
    return EventAssessment(
        event=event,
        baseline_type=base.baseline_type,
        status=status,
        baseline_days=base.participant_days(),
        adjustment_factor=award_factor,
        baseline_unadjusted=unadjusted,
        baseline=adjusted,
        actual=actual,
        baseline_stats=baseline_stats,
        actual_stats=actual_stats,
        awarded_kw=awarded,
        response_kw=response,
        response_ratio=ratio,
        effective=effective,
        non_execution=non_execution,
        score=score,
        response_energy_kwh=response_energy,
        effective_energy_kwh=effective_energy,
        price=prices,
        coefficient=coefficient,
        subsidy_cny=subsidies,
        members=members,
        member_baseline=base.member_curves * factor[:, None],
        member_actual=actual_members,
    )
