"""后台任务: the evaluations meter uploads queued, newest first, for staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from gzkit.clock import ClockDep
from gzkit.console.paging import listing, paging
from gzkit.db import SessionDep
from gzvpp.console.pages import PageActor, PageRoute, render, require_staff
from gzvpp.jobs.service import job_service
from gzvpp.models import JobStatus

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@router.get("/jobs")
def jobs(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    status: JobStatus | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every job (or one status's): what asked for it, when, attempts, the reason of a failure
    and the events it evaluated."""
    require_staff(actor)
    rows, total = job_service.search(session, actor, paging(page), status)
    return render(
        request,
        actor,
        "jobs.html",
        clock.now(),
        **listing(rows, total, page),
        status=status,
        statuses=list(JobStatus),
        queued=request.app.state.job_runner.value == "queue",
    )
