"""``/api/jobs``: background jobs (后台任务) — the evaluations meter uploads queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from gzkit.db import MAX_ROW_ID, SessionDep
from gzkit.pagination import ListResource, PaginationQuery
from gzvpp.jobs.schemas import JobView
from gzvpp.jobs.service import Runner, job_service
from gzvpp.kit.auth import MeterDataActorDep
from gzvpp.models import JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"])


def job_runner(request: Request) -> Runner:
    """Where the app runs its jobs (:class:`~gzvpp.jobs.service.Runner`)."""
    runner: Runner = request.app.state.job_runner
    return runner


RunnerDep = Annotated[Runner, Depends(job_runner)]


@router.get("", summary="Background jobs, newest first")
def jobs(
    actor: MeterDataActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    status: Annotated[JobStatus | None, Query(description="Only jobs in this status.")] = None,
) -> ListResource[JobView]:
    """Every job for the grid operator and the regulator; the jobs one asked for (a meter
    upload's evaluation) for anyone else."""
    items, total = job_service.search(session, actor, pagination, status)
    return ListResource[JobView].build(items, total, pagination)


@router.get("/{job_id}", summary="One background job")
def job(
    actor: MeterDataActorDep,
    session: SessionDep,
    job_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
) -> JobView:
    """Its status (queued, running, done, failed), times, attempts, the reason of a failure
    and, once done, the events it evaluated."""
    return job_service.get(session, actor, job_id)
