"""HTTP routes of award results (``/api/results``) and the settlement (``/api/settlement``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery
from gzvpp.kit.auth import ActorDep
from gzvpp.settlement import schemas
from gzvpp.settlement.evaluation import evaluation_service
from gzvpp.settlement.service import settlement_service as service

results_router = APIRouter(prefix="/results", tags=["results"])
router = APIRouter(prefix="/settlement", tags=["settlement"])

Quarter = Annotated[
    str, Path(pattern=schemas.QUARTER_PATTERN, description="Year and quarter, e.g. 2025Q3.")
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@results_router.post("/events/{event_id}:evaluate", summary="Evaluate an event now")
def evaluate(
    event_id: str, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.EvaluationReport:
    """(Re-)evaluate an ended event on the stored meter data (grid operator).

    409 if it is cancelled, still running, has no awards, or the engine refuses its inputs.
    """
    return evaluation_service.evaluate(session, actor, clock.now(), event_id)


@results_router.get("/events/{event_id}", summary="An event's results")
def event_results(
    event_id: str, actor: ActorDep, session: SessionDep, pagination: PaginationQuery
) -> ListResource[schemas.AwardResultView]:
    """Every award's result in plan order; a participant's token sees only its own row."""
    items, total = service.event_results(session, actor, event_id, pagination)
    return ListResource[schemas.AwardResultView].build(items, total, pagination)


@results_router.get(
    "/events/{event_id}/participants/{participant_id}", summary="One result with curves"
)
def participant_result(
    event_id: str, participant_id: str, actor: ActorDep, session: SessionDep
) -> schemas.AwardResultDetail:
    """One participant's result, its baseline and actual curves over the window and its load
    over the whole response day."""
    return service.participant_result(session, actor, event_id, participant_id)


@router.get("/quarters/{quarter}", summary="A quarter's settlement")
def quarter(quarter: Quarter, actor: ActorDep, session: SessionDep) -> schemas.QuarterReport:
    """Per participant: events, effective responses, energy, subsidy, non-executions and
    suspended months, over the evaluated events of the quarter; and the totals."""
    return service.quarter(session, actor, quarter)


@router.get("/quarters/{quarter}/publicity", summary="A quarter's publicity list")
def publicity(quarter: Quarter, actor: ActorDep, session: SessionDep) -> schemas.QuarterPublicity:
    """The list the regulator reviews and publishes (第十条); regulator and grid operator."""
    return service.publicity(session, actor, quarter)


@router.get(
    "/quarters/{quarter}/export.xlsx",
    summary="The quarter as a workbook",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def export_xlsx(
    quarter: Quarter, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> Response:
    """Sheets 汇总 (per participant) and 明细 (per award), each with a title, the period, who
    made it when, and a totals row of SUM formulas."""
    return Response(
        service.export_xlsx(session, actor, clock.now(), quarter),
        media_type=XLSX,
        headers=_attachment(f"settlement-{quarter}.xlsx"),
    )


@router.get(
    "/quarters/{quarter}/export.csv",
    summary="The quarter as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(
    quarter: Quarter,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    detail: Annotated[
        bool, Query(description="One row per award instead of per participant.")
    ] = False,
) -> Response:
    """汇总 (or with ``detail=true`` 明细) as UTF-8 CSV with a totals row."""
    name = f"settlement-{quarter}{'-detail' if detail else ''}.csv"
    return Response(
        service.export_csv(session, actor, clock.now(), quarter, detail),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(name),
    )


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
