"""Award results and the quarterly settlement (第九条 (四), 第十条).

The grid operator and the regulator see every participant; an aggregator or a power user sees
only its own results and settlement rows (another participant's, or an event it holds no award
in, is a 404). Every sum is of the stored per-award Decimals, so each total reconciles to the
fen with the results it is made of.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from sqlalchemy import Row
from sqlalchemy.orm import Session

from gzkit.errors import NotFound
from gzkit.pagination import PaginationParams
from gzvpp.core.evaluation import KW_DECIMALS
from gzvpp.core.grid import INTERVAL_MINUTES
from gzvpp.core.model import ParticipantKind
from gzvpp.core.rounding import to_decimal
from gzvpp.core.timeseries import day_number
from gzvpp.kit.auth import Actor
from gzvpp.meterdata.repository import load_cube
from gzvpp.models import Award, AwardResult, Event, Role
from gzvpp.settlement import export, repository, schemas
from gzvpp.settlement.evaluation import evaluation_service

ENERGY_ZERO = Decimal("0.000")
CNY_ZERO = Decimal("0.00")

QuarterRow = Row[AwardResult, str, ParticipantKind]


class SettlementService:
    """Results of evaluated events, and the quarterly settlement and publicity."""

    def event_results(
        self, session: Session, actor: Actor, event_id: str, pagination: PaginationParams
    ) -> tuple[list[schemas.AwardResultView], int]:
        """A page of an event's results in plan order; a participant sees only its own."""
        scoped = actor.participant_id if actor.role.participant_scoped else None
        if repository.get_event(session, event_id) is None or (
            scoped is not None and not repository.has_award(session, event_id, scoped)
        ):
            raise NotFound(f"event {event_id} not found")
        rows, total = repository.event_results(session, event_id, scoped, pagination)
        names = repository.participants(session, {r.participant_id for r in rows})
        return [_view(r, names[r.participant_id].name) for r in rows], total

    def participant_result(
        self, session: Session, actor: Actor, event_id: str, participant_id: str
    ) -> schemas.AwardResultDetail:
        """One result with its window curves and the participant's load over the whole day."""
        actor.require_participant(participant_id)
        row = repository.participant_result(session, event_id, participant_id)
        if row is None:
            raise NotFound(f"no result for participant {participant_id} in event {event_id}")
        participant = repository.participants(session, [participant_id])[participant_id]
        name = participant.name
        accounts = repository.held_accounts(session, [participant_id]).get(participant_id, [])
        # The sum over the accounts is NaN in an interval where any account has no reading.
        day = load_cube(session, accounts, np.array([day_number(row.day)])).values[:, 0, :]
        day_load = day.sum(axis=0)
        step = dt.timedelta(minutes=INTERVAL_MINUTES)
        curves = row.curves
        return schemas.AwardResultDetail(
            **_view(row, name).model_dump(),
            intervals=[row.start_at + k * step for k in range(len(curves["baseline"]))],
            baseline_unadjusted_kw=curves["baseline_unadjusted"],
            baseline_kw=curves["baseline"],
            actual_kw=curves["actual"],
            day_load_kw=[None if np.isnan(v) else float(v) for v in day_load],
            history=[
                schemas.ResultRevisionView.model_validate(r)
                for r in repository.revisions_of(session, row.award_id)
            ],
            members=self._members(session, row)
            if participant.kind is ParticipantKind.AGGREGATOR
            else [],
        )

    def _members(self, session: Session, row: AwardResult) -> list[schemas.MemberShareView]:
        """The aggregator's result by member, recomputed from the stored meter data."""
        award, event = session.get(Award, row.award_id), session.get(Event, row.event_id)
        assert award is not None and event is not None  # a result has both
        names = repository.member_names(session, row.participant_id)
        return [
            schemas.MemberShareView(
                account_id=share.account_id,
                member_name=names.get(share.account_id, ""),
                baseline_avg_kw=to_decimal(share.baseline_avg_kw, KW_DECIMALS),
                actual_avg_kw=to_decimal(share.actual_avg_kw, KW_DECIMALS),
                response_kw=to_decimal(share.response_kw, KW_DECIMALS),
            )
            for share in evaluation_service.member_shares(session, event, award)
        ]

    def quarter(self, session: Session, actor: Actor, quarter: str) -> schemas.QuarterReport:
        """Each participant's evaluated awards of the quarter, summed, and the totals."""
        return _report(quarter, self._rows(session, actor, quarter))

    def quarters(self, session: Session, actor: Actor) -> list[str]:
        """The quarters with evaluated results, newest first (staff only)."""
        actor.require(Role.REGULATOR, Role.GRID_OPERATOR)
        return sorted({quarter_of(day) for day in repository.result_days(session)}, reverse=True)

    def publicity(self, session: Session, actor: Actor, quarter: str) -> schemas.QuarterPublicity:
        """The quarter's publicity list (第十条), for the regulator and the grid operator."""
        actor.require(Role.REGULATOR, Role.GRID_OPERATOR)
        report = self.quarter(session, actor, quarter)
        revisions = repository.quarter_revisions(session, *quarter_days(quarter))
        corrections = Counter(r.participant_id for r in revisions)
        return schemas.QuarterPublicity(
            quarter=quarter,
            entries=[
                schemas.PublicityEntry(
                    participant_id=p.participant_id,
                    name=p.name,
                    kind=p.kind,
                    effective_responses=p.effective_responses,
                    effective_energy_kwh=p.effective_energy_kwh,
                    subsidy_cny=p.subsidy_cny,
                    corrections=corrections[p.participant_id],
                )
                for p in report.participants
            ],
            effective_energy_kwh=report.totals.effective_energy_kwh,
            subsidy_cny=report.totals.subsidy_cny,
            corrections=[schemas.ResultRevisionView.model_validate(r) for r in revisions],
        )

    def export_xlsx(self, session: Session, actor: Actor, now: dt.datetime, quarter: str) -> bytes:
        """The quarter as a workbook: sheet 汇总 per participant, sheet 明细 per award; made
        by ``actor`` at ``now`` (its 制表 row)."""
        rows = self._rows(session, actor, quarter)
        prepared = _prepared(session, actor, now, rows)
        return export.workbook(_report(quarter, rows), _details(rows), prepared)

    def export_csv(
        self, session: Session, actor: Actor, now: dt.datetime, quarter: str, detail: bool
    ) -> str:
        """The quarter's summary (or, with ``detail``, every award) as CSV with a totals row."""
        rows = self._rows(session, actor, quarter)
        prepared = _prepared(session, actor, now, rows)
        if detail:
            return export.detail_csv(_details(rows), prepared)
        return export.summary_csv(_report(quarter, rows), prepared)

    def _rows(self, session: Session, actor: Actor, quarter: str) -> Sequence[QuarterRow]:
        first, last = quarter_days(quarter)
        scoped = actor.participant_id if actor.role.participant_scoped else None
        return repository.quarter_results(session, first, last, scoped)


settlement_service = SettlementService()


def quarter_of(day: dt.date) -> str:
    """``2025Q3`` for a day in July–September 2025."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_days(quarter: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter written ``2025Q3``."""
    year, number = int(quarter[:4]), int(quarter[5])
    first = dt.date(year, 3 * number - 2, 1)
    following = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return first, following - dt.timedelta(days=1)


def _view(row: AwardResult, participant_name: str) -> schemas.AwardResultView:
    columns = {
        name: getattr(row, name)
        for name in schemas.AwardResultView.model_fields
        if name != "participant_name"
    }
    return schemas.AwardResultView.model_validate({**columns, "participant_name": participant_name})


def _prepared(
    session: Session, actor: Actor, now: dt.datetime, rows: Sequence[QuarterRow]
) -> export.Prepared:
    participant_ids = {row.participant_id for row, _, _ in rows}
    return export.Prepared(actor.name, now, repository.held_accounts(session, participant_ids))


def _details(rows: Sequence[QuarterRow]) -> list[export.Detail]:
    return [export.Detail(_view(row, name), kind) for row, name, kind in rows]


@dataclass
class _Tally:
    """A participant's awards of the quarter, summed as they are read."""

    participant_id: str
    name: str
    kind: ParticipantKind
    events: int = 0
    effective: int = 0
    response_energy: Decimal = ENERGY_ZERO
    effective_energy: Decimal = ENERGY_ZERO
    subsidy: Decimal = CNY_ZERO
    non_executions: int = 0
    suspended_months: set[str] = field(default_factory=set)

    def add(self, row: AwardResult) -> None:
        self.events += 1
        self.effective += row.effective
        self.response_energy += row.response_energy_kwh or ENERGY_ZERO
        self.effective_energy += row.effective_energy_kwh or ENERGY_ZERO
        self.subsidy += row.subsidy_cny
        self.non_executions += row.non_execution
        if row.suspended:
            self.suspended_months.add(f"{row.day:%Y-%m}")


def _report(quarter: str, rows: Sequence[QuarterRow]) -> schemas.QuarterReport:
    first, last = quarter_days(quarter)
    tallies: dict[str, _Tally] = {}
    for row, name, kind in rows:
        tally = tallies.get(row.participant_id)
        if tally is None:
            tally = tallies[row.participant_id] = _Tally(row.participant_id, name, kind)
        tally.add(row)
    participants = [
        schemas.QuarterParticipant(
            participant_id=t.participant_id,
            name=t.name,
            kind=t.kind,
            events=t.events,
            effective_responses=t.effective,
            response_energy_kwh=t.response_energy,
            effective_energy_kwh=t.effective_energy,
            subsidy_cny=t.subsidy,
            non_executions=t.non_executions,
            suspended_months=sorted(t.suspended_months),
        )
        for t in tallies.values()
    ]
    totals = schemas.QuarterTotals(
        participants=len(participants),
        events=len({row.event_id for row, _, _ in rows}),
        awards=len(rows),
        effective_responses=sum(p.effective_responses for p in participants),
        response_energy_kwh=sum((p.response_energy_kwh for p in participants), ENERGY_ZERO),
        effective_energy_kwh=sum((p.effective_energy_kwh for p in participants), ENERGY_ZERO),
        subsidy_cny=sum((p.subsidy_cny for p in participants), CNY_ZERO),
        non_executions=sum(p.non_executions for p in participants),
    )
    return schemas.QuarterReport(
        quarter=quarter,
        first_day=first,
        last_day=last,
        participants=participants,
        totals=totals,
    )
