"""Background jobs: queued with the data they are about, run where the database allows, read
by staff and by whoever asked for them.

Where a job runs (:class:`Runner`):

- ``queue`` — PostgreSQL with the real clock (``gzvpp serve``): the job is deferred to
  procrastinate in the transaction that writes it (:mod:`gzvpp.jobs.queue`), and the upload
  answers at once with the job ``queued``; a worker evaluates it moments later;
- ``inline`` — SQLite (one process), or an app whose simulated clock its owner drives (the
  demo, tests): the same job function runs in the request right after the data's commit, and
  the upload answers with the job ``done`` and its evaluations, as before the queue existed.
  A job left unfinished by a process that stopped is run when the app next starts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from gzkit.clock import Clock
from gzkit.db import session_scope
from gzkit.errors import NotFound
from gzkit.pagination import PaginationParams, paginate
from gzvpp.jobs import queue, repository, tasks
from gzvpp.jobs.schemas import JobRef, JobView
from gzvpp.kit.auth import Actor
from gzvpp.models import Job, JobKind, JobStatus, Role
from gzvpp.models.job import SOURCE_LENGTH
from gzvpp.settlement.evaluation import Cause, Touched
from gzvpp.settlement.schemas import EvaluationReport
from gzvpp.terms import JOB_STATUSES

READ_ALL = (Role.GRID_OPERATOR, Role.REGULATOR)
log = logging.getLogger(__name__)


class Runner(StrEnum):
    """Where jobs run: see the module note."""

    INLINE = "inline"
    QUEUE = "queue"


class JobService:
    """Background jobs: queued with their data, run by their :class:`Runner`, read by staff
    and by whoever asked for them."""

    def queue_evaluation(
        self,
        session: Session,
        runner: Runner,
        actor: Actor,
        now: dt.datetime,
        touched: Touched,
        cause: Cause,
    ) -> Job:
        """Write the job evaluating what ``touched`` names, in ``session``'s transaction, and
        on the queue defer it there too: committed with the data, or not at all."""
        job = Job(
            kind=JobKind.EVALUATION,
            status=JobStatus.QUEUED,
            created_by=actor.label,
            created_by_user=actor.user_id,
            source=cause.source[:SOURCE_LENGTH],
            reason=cause.reason,
            queued_at=now,
            attempts=0,
            payload=tasks.touched_payload(touched),
        )
        session.add(job)
        session.flush()
        if runner is Runner.QUEUE:
            queue.defer(session, job.id)
        return job

    def after_commit(
        self, session: Session, runner: Runner, now: dt.datetime, job: Job
    ) -> tuple[JobRef, list[EvaluationReport]]:
        """Once the job is committed: inline, run it now in ``session`` (one attempt, no
        retries); the job as the upload's answer names it, and its evaluations if done."""
        if runner is Runner.INLINE:

            @contextmanager
            def transaction() -> Iterator[Session]:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

            job = tasks.run_evaluation(transaction, lambda: now, job.id, max_attempts=1)
        return JobRef(id=job.id, status=job.status), _evaluations(job)

    def run_left_over(self, factory: sessionmaker[Session], clock: Clock) -> None:
        """Inline, at the start: run the jobs a stopped process left unfinished (it committed
        an upload, then stopped before or while evaluating it)."""
        with session_scope(factory) as session:
            left = repository.unfinished(session)
        for job_id in left:
            try:
                tasks.run_evaluation(lambda: session_scope(factory), clock.now, job_id)
            except tasks.RetryLater:
                log.warning("job %s: left for the next start", job_id)

    def get(self, session: Session, actor: Actor, job_id: int) -> JobView:
        """One job: staff read any, others only their own (404 otherwise, not 403: no one
        learns which jobs exist)."""
        job = repository.job(session, job_id)
        if job is None or not _may_read(actor, job):
            raise NotFound(f"后台任务 {job_id} 不存在 / job {job_id} not found")
        return view(job)

    def search(
        self,
        session: Session,
        actor: Actor,
        pagination: PaginationParams,
        status: JobStatus | None,
    ) -> tuple[list[JobView], int]:
        """Jobs newest first: every job for staff, one's own for anyone else."""
        own = None if actor.role in READ_ALL else actor.user_id
        rows, total = paginate(session, repository.jobs(own, status), pagination)
        return [view(job) for job in rows], total


job_service = JobService()


def view(job: Job) -> JobView:
    return JobView(
        id=job.id,
        kind=job.kind,
        status=job.status,
        status_label=JOB_STATUSES[job.status],
        source=job.source,
        created_by=job.created_by,
        queued_at=job.queued_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        attempts=job.attempts,
        error=job.error,
        evaluations=_evaluations(job),
    )


def _may_read(actor: Actor, job: Job) -> bool:
    return actor.role in READ_ALL or job.created_by_user == actor.user_id


def _evaluations(job: Job) -> list[EvaluationReport]:
    return [EvaluationReport.model_validate(r) for r in job.result or []]
