"""``gzvpp evaluate``: the batch settlement analysts run on meter exports.

Reads the input files, evaluates every non-cancelled event in order of start time with the
rules engine (:func:`gzvpp.core.assessment.assess_event`), and writes one CSV row per award.
Nothing is written unless every input is valid and every event has been evaluated.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np

from gzkit.calendar import Calendar, CalendarError, uncovered_message
from gzkit.calendarfile import read_calendar
from gzkit.inputs import InputError
from gzkit.outputs import replaced_on_success
from gzvpp.core.adjustment import adjustment_window
from gzvpp.core.assessment import assess_event, response_days
from gzvpp.core.baseline import LOOKBACK_DAYS, REALTIME_BASELINE_INTERVALS, baseline_candidates
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.model import Event, Participant
from gzvpp.core.results import AwardResult, assessments_results
from gzvpp.core.timeseries import IntArray, IntervalCube, day_number
from gzvpp.evaluation.layout import GROUP_KEY
from gzvpp.files.events import read_events
from gzvpp.files.loads import read_interval_file
from gzvpp.files.location import LoadsLocation
from gzvpp.files.participants import read_participants

RESULT_COLUMNS = (
    "event_id",
    "participant_id",
    "status",
    "baseline_type",
    "baseline_days",
    "adjustment_factor",
    "baseline_avg_kw",
    "baseline_max_kw",
    "baseline_min_kw",
    "actual_avg_kw",
    "actual_max_kw",
    "actual_min_kw",
    "awarded_kw",
    "response_kw",
    "response_ratio",
    "effective",
    "non_execution",
    "score",
    "response_energy_kwh",
    "effective_energy_kwh",
    "price",
    "coefficient",
    "subsidy_cny",
    "month_non_executions",
    "suspended",
    "rank_score",
)


@dataclass(frozen=True)
class EvaluationInputs:
    """The files of one ``gzvpp evaluate`` run."""

    loads: LoadsLocation
    system_load: Path
    participants: Path
    events: Path
    calendar: Path | None = None
    encoding: str | None = None  # of every CSV input; None detects each file's


@dataclass(frozen=True)
class EvaluationSummary:
    """The one-screen summary printed at the end of a run."""

    events: int
    cancelled: int
    awards: int
    by_status: Mapping[str, int]
    effective: int
    non_executions: int
    suspended_participants: int
    subsidy_cny: Decimal


def evaluable(events: Iterable[Event]) -> list[Event]:
    """The events a run evaluates: not cancelled, and with awards (an event nobody was awarded
    has nothing to evaluate and is nobody's response day)."""
    return [e for e in events if not e.cancelled and e.awards]


def days_needed(events: Iterable[Event], calendar: Calendar, lookback_days: int) -> IntArray:
    """Every day whose loads an evaluation may read: D, its baseline candidates, neighbours.

    A window may run past midnight and the adjustment window (T-4h) or the real-time baseline
    may reach into the previous day, so each day's neighbours are kept too.
    """
    days: set[int] = set()
    for event in events:
        if event.cancelled:
            continue
        window = event.window
        span_first = min(
            window.first_interval - REALTIME_BASELINE_INTERVALS, adjustment_window(window)[0]
        )
        span_last = window.first_interval + window.n_intervals - 1
        shifts = range(span_first // INTERVALS_PER_DAY, span_last // INTERVALS_PER_DAY + 1)
        anchors = [day_number(window.day)]
        if event.mode.invited:
            anchors += baseline_candidates(window.day, calendar, lookback_days).days.tolist()
        days.update(anchor + shift for anchor in anchors for shift in shifts)
    return np.array(sorted(days), dtype=np.int64)


def evaluate_events(
    events: Sequence[Event],
    participants: Mapping[str, Participant],
    loads: IntervalCube,
    system_load: IntervalCube,
    calendar: Calendar,
    lookback_days: int = LOOKBACK_DAYS,
    on_event: Callable[[Event], None] | None = None,
) -> list[AwardResult]:
    """Evaluate every non-cancelled event in order of start time, with the running history.

    The events are also the history: their awards are the response days (R4), and their
    results, in order, give each month's non-executions and each participant's rank score.

    Raises
    ------
    PriceError
        If an award has no valid price (表 2); the events reader refuses such files.
    """
    ordered = sorted(evaluable(events), key=lambda e: e.window.start)
    history = response_days(ordered)
    assessments = []
    for event in ordered:
        assessments.append(
            assess_event(event, participants, loads, system_load, calendar, history, lookback_days)
        )
        if on_event is not None:
            on_event(event)
    return assessments_results(assessments)


def summarise(events: Sequence[Event], results: Sequence[AwardResult]) -> EvaluationSummary:
    """Counts and the subsidy total of a run."""
    statuses = Counter(r.status.value for r in results)
    return EvaluationSummary(
        events=len(evaluable(events)),
        cancelled=sum(e.cancelled for e in events),
        awards=len(results),
        by_status=dict(statuses),
        effective=sum(r.effective for r in results),
        non_executions=sum(r.non_execution for r in results),
        suspended_participants=len({r.participant_id for r in results if r.suspended}),
        subsidy_cny=sum((r.subsidy_cny for r in results), Decimal("0.00")),
    )


def _field(value: object) -> str:
    """A result as a CSV field: a missing value is an empty field, an empty text ``""`` (as
    for no baseline days), and a text holding a comma, a quote or a line break is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = ";".join(d.isoformat() for d in value) if isinstance(value, tuple) else str(value)
    if not text or any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_results_csv(results: Sequence[AwardResult], out: Path) -> None:
    """Write the result rows whole or not at all (:func:`gzkit.outputs.replaced_on_success`)."""
    with (
        replaced_on_success(out) as (handle,),
        io.TextIOWrapper(cast(BinaryIO, handle), encoding="utf-8", newline="") as file,
    ):
        file.write(",".join(RESULT_COLUMNS) + "\n")
        file.writelines(
            ",".join(_field(getattr(r, c)) for c in RESULT_COLUMNS) + "\n" for r in results
        )


@dataclass(frozen=True)
class EvaluationPlan:
    """What a run knows before it reads any load: the small input files, read and checked.

    Attributes
    ----------
    needed_days : ndarray of int64
        Every day whose loads an evaluation may read (:func:`days_needed`).
    """

    calendar: Calendar
    participants: dict[str, Participant]
    events: list[Event]
    needed_days: IntArray


def plan_evaluation(inputs: EvaluationInputs, lookback_days: int = LOOKBACK_DAYS) -> EvaluationPlan:
    """Read the participants, events and calendar files and work out the days to read.

    Raises
    ------
    InputError
        For any bad input among these files.
    """
    encoding = inputs.encoding
    calendar = read_calendar(inputs.calendar, encoding) if inputs.calendar else Calendar()
    participants = read_participants(inputs.participants, encoding)
    events = read_events(inputs.events, participants)
    try:
        needed = days_needed(events, calendar, lookback_days)
    except CalendarError as err:
        message = uncovered_message(err.day, "--calendar")
        raise InputError(inputs.calendar or inputs.events, message) from None
    return EvaluationPlan(calendar, participants, events, needed)


def awarded_accounts(events: Iterable[Event], participants: Mapping[str, Participant]) -> list[str]:
    """The meter accounts behind the awards of the non-cancelled events, sorted."""
    return sorted(
        {
            a
            for e in events
            if not e.cancelled
            for w in e.awards
            for a in participants[w.participant_id].accounts
        }
    )


@dataclass(frozen=True)
class PartitionResults:
    """The results of some participants' awards, each with its row in the whole run's output.

    Attributes
    ----------
    rows : tuple of int
        0-based row of each result in the output of :func:`run_evaluation` (header excluded).
    """

    rows: tuple[int, ...]
    results: list[AwardResult]


def evaluate_partition(
    inputs: EvaluationInputs,
    participant_ids: Collection[str],
    lookback_days: int = LOOKBACK_DAYS,
    plan: EvaluationPlan | None = None,
    groups: Collection[int] | None = None,
) -> PartitionResults:
    """Evaluate the awards of some participants only, reading only their accounts' loads.

    Every figure of an award depends on its own participant's loads and awards alone (R4: the
    response days are the participant's; R2 c, R6: its month non-executions, suspension and
    rank score run over its own awards), so the participants can be evaluated apart and their
    results put back in the order :func:`run_evaluation` writes them. A Dask task of
    ``gzvpp evaluate --cluster`` (:mod:`gzvpp.evaluation.cluster`) is one call.

    Parameters
    ----------
    inputs : EvaluationInputs
        Paths that the process calling this can read; Parquet loads are read with a filter
        on the accounts, pushed down to pyarrow.
    participant_ids : collection of str
        Participants to evaluate; an aggregator comes with all its member accounts.
    plan : EvaluationPlan, optional
        The small files, read already; None reads them.
    groups : collection of int, optional
        The participant groups these participants are in, when the loads are laid out by
        group (:mod:`gzvpp.evaluation.layout`): only those groups' files are read, and every
        row in them is checked.

    Raises
    ------
    InputError
        For any bad input that this partition reads.
    """
    plan = plan or plan_evaluation(inputs, lookback_days)
    chosen = frozenset(participant_ids)
    kept: list[Event] = []
    rows: list[int] = []
    first = 0
    for event in sorted(evaluable(plan.events), key=lambda e: e.window.start):
        awards = [i for i, w in enumerate(event.awards) if w.participant_id in chosen]
        if awards:
            kept.append(replace(event, awards=tuple(event.awards[i] for i in awards)))
            rows.extend(first + i for i in awards)
        first += len(event.awards)
    loads = read_interval_file(
        inputs.loads,
        value_column="kw",
        series=awarded_accounts(kept, plan.participants),
        keep_days=plan.needed_days,
        encoding=inputs.encoding,
        # Whole groups belong to this partition: every row of their files is read and checked,
        # as the single process does; without groups only these accounts' rows are read.
        push_down=groups is None,
        hive_filter=None if groups is None else (GROUP_KEY, groups),
    )
    system_load = read_interval_file(
        inputs.system_load,
        value_column="mw",
        series=None,
        keep_days=plan.needed_days,
        encoding=inputs.encoding,
    )
    results = evaluate_events(
        kept, plan.participants, loads, system_load, plan.calendar, lookback_days
    )
    return PartitionResults(tuple(rows), results)


def run_evaluation(
    inputs: EvaluationInputs,
    out: Path,
    lookback_days: int = LOOKBACK_DAYS,
    on_stage: Callable[[str], None] | None = None,
    on_event: Callable[[Event], None] | None = None,
    on_events_known: Callable[[int], None] | None = None,
) -> EvaluationSummary:
    """Read the inputs, evaluate, write ``out``; return the summary.

    Raises
    ------
    InputError
        For any bad input (file, row and reason named); nothing is written then.
    """
    stage = on_stage or (lambda _: None)
    stage("reading participants, events and calendar")
    plan = plan_evaluation(inputs, lookback_days)
    stage("reading meter loads")
    loads = read_interval_file(
        inputs.loads,
        value_column="kw",
        series=awarded_accounts(plan.events, plan.participants),
        keep_days=plan.needed_days,
        encoding=inputs.encoding,
    )
    stage("reading system load")
    system_load = read_interval_file(
        inputs.system_load,
        value_column="mw",
        series=None,
        keep_days=plan.needed_days,
        encoding=inputs.encoding,
    )
    if on_events_known is not None:
        on_events_known(len(evaluable(plan.events)))
    results = evaluate_events(
        plan.events,
        plan.participants,
        loads,
        system_load,
        plan.calendar,
        lookback_days,
        on_event,
    )
    stage("writing results")
    write_results_csv(results, out)
    return summarise(plan.events, results)
