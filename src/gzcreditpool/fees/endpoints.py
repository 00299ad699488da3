"""Fees, budget, performance report and dashboard figures (thin: see ``service``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from gzcreditpool.fees import service
from gzcreditpool.fees.schemas import BankYearOut, BudgetOut, FeeOut, ReportIn, ReportOut
from gzcreditpool.kit.auth import ActorDep
from gzcreditpool.models import Role
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery, page_of

router = APIRouter(tags=["管理费与绩效 fees"])
Year = Annotated[int, Path(ge=2000, le=2100)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAFF = (Role.BUREAU, Role.TRUSTEE, Role.AUDITOR)


@router.get("/fees/{year}")
def trustee_fee(year: Year, session: SessionDep, actor: ActorDep) -> FeeOut:
    """The trustee's fee for ``year`` (第二十四条)."""
    actor.require(*STAFF)
    return service.fee(session, year)


@router.get("/budget/{year}")
def budget(year: Year, session: SessionDep, actor: ActorDep) -> BudgetOut:
    """The budget line of ``year``: last year's compensation and trustee fee."""
    actor.require(*STAFF)
    return service.budget(session, year)


@router.get("/performance")
def performance(
    session: SessionDep, actor: ActorDep, pagination: PaginationQuery
) -> ListResource[BankYearOut]:
    """Every bank's yearly figures (the dashboard's data), by bank then year."""
    actor.require(*STAFF)
    items, total = page_of(service.bank_years(session), pagination)
    return ListResource[BankYearOut].build(list(items), total, pagination)


@router.get("/reports/performance/{year}.xlsx")
def performance_xlsx(year: Year, session: SessionDep, actor: ActorDep, clock: ClockDep) -> Response:
    """The trustee's yearly report as xlsx; the download is logged."""
    data = service.performance_xlsx(session, actor, year, clock.now())
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="performance-{year}.xlsx"'},
    )


@router.get("/reports")
def reports(
    session: SessionDep, actor: ActorDep, clock: ClockDep, pagination: PaginationQuery
) -> ListResource[ReportOut]:
    """The trustee's yearly reports owed so far, submitted or not (late after 31 March), by
    year."""
    actor.require(*STAFF)
    items, total = page_of(service.reports(session, clock.now().date()), pagination)
    return ListResource[ReportOut].build(list(items), total, pagination)


@router.post("/reports/{year}", status_code=201)
def submit_report(
    year: Year, body: ReportIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> ReportOut:
    """The trustee submits its report on a past year (the workbook is frozen)."""
    now = clock.now()
    service.submit_report(session, actor, year, body.summary, now)
    return next(r for r in service.reports(session, now.date()) if r.year == year)


@router.get("/reports/{year}.xlsx")
def report_workbook(year: Year, session: SessionDep, actor: ActorDep, clock: ClockDep) -> Response:
    """The yearly report's workbook as submitted; the download is logged."""
    data = service.report_workbook(session, actor, year, clock.now())
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="trustee-report-{year}.xlsx"'},
    )
