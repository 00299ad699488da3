"""HTTP routes of statistics, under ``/api/statistics``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from gzkit.db import SessionDep
from gzlongevity.kit.auth import ActorDep
from gzlongevity.runs.service import month_of_text
from gzlongevity.statistics.report import monthly_report
from gzlongevity.statistics.schemas import MonthFigures
from gzlongevity.statistics.service import month_figures, monthly_series

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get("/months/{month}", summary="A month's figures")
def figures(month: str, actor: ActorDep, session: SessionDep) -> MonthFigures:
    """Beneficiaries by tier and district, money by city/district share, extras, 100+
    payments, arrears, overpayments, recovery rate, in the actor's jurisdiction."""
    return month_figures(session, actor, month_of_text(month))


@router.get("/months/{month}/report.xlsx", summary="The monthly report (xlsx)")
def report(month: str, actor: ActorDep, session: SessionDep) -> Response:
    """The month's figures as the report to the city."""
    content = monthly_report(month_figures(session, actor, month_of_text(month)))
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="longevity-{month}.xlsx"'},
    )


@router.get("/series", summary="Every run's figures (for charts)")
def series(actor: ActorDep, session: SessionDep) -> dict[str, object]:
    """Money per month by tier and by district, beneficiaries, arrears and overpayments, in
    the actor's jurisdiction (CNY as numbers, for charts)."""
    return monthly_series(session, actor)
