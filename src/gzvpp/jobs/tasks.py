"""The job functions: the same code runs in a procrastinate worker (PostgreSQL) and in-process
right after the upload's commit (SQLite).

A run is two transactions, both under the evaluation lock
(:data:`gzkit.advisory.Lock.EVALUATION`), so that evaluations never interleave: the first
marks the job running (an attempt more, visible at once), the second evaluates and marks it
done. The results and "done" commit together, and a run that finds its job done does nothing:
a job retried after its worker died — before or after that commit — takes effect exactly once.
Re-evaluating is itself idempotent (the same data gives the same results and writes nothing).
Before evaluating, a run gives the real-time awards dispatched without a baseline the one the
upload made known (:func:`complete_realtime_baselines`); an award that has one is left alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from gzkit.advisory import transaction_lock
from gzvpp.core.timeseries import IntArray
from gzvpp.jobs import repository
from gzvpp.kit.locks import Lock
from gzvpp.models import Job, JobStatus
from gzvpp.openadr.monitoring import complete_realtime_baselines
from gzvpp.settlement.evaluation import Cause, Touched, evaluation_service

# Runs of one job before it is given up as failed (a crash, a lost database, a killed worker).
MAX_ATTEMPTS = 3
ERROR_LENGTH = 200

Transaction = Callable[[], AbstractContextManager[Session]]
log = logging.getLogger(__name__)


class RetryLater(Exception):
    """The run failed and the job has attempts left: the queue runs it again."""


def touched_payload(touched: Touched) -> dict[str, Any]:
    """``touched`` as JSON, compact: the accounts sharing the same runs of consecutive days
    are listed once with those runs (an upload touches whole blocks of days)."""
    groups: dict[tuple[tuple[int, int], ...], list[str]] = {}
    for account, days in touched.loads.items():
        groups.setdefault(_runs(days), []).append(account)
    return {
        "loads": [
            {"accounts": sorted(names), "days": [list(r) for r in runs]}
            for runs, names in groups.items()
        ],
        "system": [list(r) for r in _runs(touched.system)],
    }


def touched_from(payload: dict[str, Any]) -> Touched:
    """The :class:`Touched` that :func:`touched_payload` wrote."""
    loads = {}
    for group in payload["loads"]:
        days = _days(group["days"])
        for account in group["accounts"]:
            loads[account] = days
    return Touched(loads=loads, system=_days(payload["system"]))


def run_evaluation(
    transaction: Transaction,
    now: Callable[[], dt.datetime],
    job_id: int,
    max_attempts: int = MAX_ATTEMPTS,
) -> Job:
    """Run the evaluation job ``job_id`` (see the module note); its row afterwards.

    ``transaction`` opens one transaction (committed when its block ends); ``now`` is the
    platform's time, for the job's times. The evaluation itself runs as of the upload. After
    ``max_attempts`` runs that did not finish the job is failed.

    Raises
    ------
    RetryLater
        The run failed (the reason is on the job) and the job has attempts left.
    """
    with transaction() as session:
        job = _locked(session, job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        if job.attempts >= max_attempts:
            _give_up(job, now(), f"已运行 {job.attempts} 次仍未完成（进程中断），不再重试")
            return job
        job.status, job.started_at, job.error = JobStatus.RUNNING, now(), None
        job.attempts += 1
    try:
        with transaction() as session:
            job = _locked(session, job_id)
            if job.status is not JobStatus.RUNNING:  # another run finished it meanwhile
                return job
            touched = touched_from(job.payload)
            complete_realtime_baselines(session, job.created_by, job.queued_at, touched)
            reports = evaluation_service.after_upload(
                session, job.created_by, job.queued_at, touched, Cause(job.source, job.reason)
            )
            job.result = [r.model_dump(mode="json") for r in reports]
            job.status, job.finished_at = JobStatus.DONE, now()
            return job
    except Exception as err:
        log.exception("job %s: attempt failed", job_id)
        with transaction() as session:
            job = _locked(session, job_id)
            reason = _reason(err)
            if job.attempts >= max_attempts:
                _give_up(job, now(), f"{reason}（已尝试 {job.attempts} 次）")
                return job
            job.status = JobStatus.QUEUED
            job.error = f"第 {job.attempts} 次运行出错：{reason}；将重试"
        raise RetryLater(job.error) from err


def _locked(session: Session, job_id: int) -> Job:
    transaction_lock(session, Lock.EVALUATION)
    job = repository.job_for_update(session, job_id)
    if job is None:
        raise LookupError(f"job {job_id} does not exist")
    return job


def _give_up(job: Job, now: dt.datetime, error: str) -> None:
    job.status, job.finished_at, job.error = JobStatus.FAILED, now, error[:ERROR_LENGTH]


def _reason(err: Exception) -> str:
    """A one-line Chinese reason; the details (SQL, traceback) stay in the service's log."""
    if isinstance(err, OperationalError):
        return "数据库暂时不可用"
    return f"内部错误（{type(err).__name__}），详情见服务日志"


def _runs(days: IntArray) -> tuple[tuple[int, int], ...]:
    """Sorted day numbers as runs of consecutive days, (first, last) each."""
    if not len(days):
        return ()
    days = np.unique(days)
    breaks = np.flatnonzero(np.diff(days) != 1)
    firsts = np.concatenate(([days[0]], days[breaks + 1]))
    lasts = np.concatenate((days[breaks], [days[-1]]))
    return tuple((int(f), int(last)) for f, last in zip(firsts, lasts, strict=True))


def _days(runs: list[list[int]]) -> IntArray:
    if not runs:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(first, last + 1, dtype=np.int64) for first, last in runs])
