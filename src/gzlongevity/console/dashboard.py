"""The city's dashboard (also the district's, finance's and audit's, within their view): the
latest run's figures and charts per month by tier and district, beneficiaries, arrears and
overpayments (plotly.js, shipped with the package)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select

from gzkit.db import SessionDep
from gzlongevity.console.pages import PageActor, PageRoute, render
from gzlongevity.models import PaymentRun, Role
from gzlongevity.statistics.service import month_figures, monthly_series

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@router.get("/dashboard")
def dashboard(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """Tiles of the latest run and the charts of every run."""
    actor.require(Role.CITY, Role.DISTRICT, Role.FINANCE, Role.AUDIT)
    latest = session.scalar(select(func.max(PaymentRun.month)))
    figures = month_figures(session, actor, latest) if latest is not None else None
    return render(
        request, actor, "dashboard.html", figures=figures, series=monthly_series(session, actor)
    )
