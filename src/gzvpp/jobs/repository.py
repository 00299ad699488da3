"""SQL of the jobs domain."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gzvpp.models import Job, JobStatus


def job_for_update(session: Session, job_id: int) -> Job | None:
    """The job's row, locked until the transaction ends (PostgreSQL)."""
    return session.scalars(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def jobs(created_by_user: int | None, status: JobStatus | None) -> Select[Job]:
    """Jobs newest first; of one user (None: everyone's), of one status (None: any)."""
    statement = select(Job).order_by(Job.id.desc())
    if created_by_user is not None:
        statement = statement.where(Job.created_by_user == created_by_user)
    if status is not None:
        statement = statement.where(Job.status == status)
    return statement


def unfinished(session: Session) -> list[int]:
    """The ids of the jobs queued or running, oldest first."""
    pending = (JobStatus.QUEUED, JobStatus.RUNNING)
    return list(session.scalars(select(Job.id).where(Job.status.in_(pending)).order_by(Job.id)))


def counts(session: Session) -> dict[JobStatus, int]:
    """How many jobs are in each status (every status, 0 included)."""
    rows = session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    found: dict[JobStatus, int] = {status: count for status, count in rows}
    return {status: found.get(status, 0) for status in JobStatus}
