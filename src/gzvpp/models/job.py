"""``jobs``: the platform's background work (后台任务) and how it went.

A job is written in the transaction that asks for it (a meter upload writes its evaluation job
with the data), so "the data is stored" and "its evaluation is due" commit together. On
PostgreSQL procrastinate carries the job to a worker (its row in ``procrastinate_jobs`` names
this one); this row is what people read: status, times, attempts, a Chinese one-line error.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzvpp.kit.db import Base

SOURCE_LENGTH = 300  # characters kept of what asked for the job


class JobStatus(StrEnum):
    """排队中 queued, 运行中 running, 已完成 done, 失败 failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobKind(StrEnum):
    """What the job does: 上传后评估 the evaluation of the events an upload touched."""

    EVALUATION = "evaluation"


class Job(Base):
    """One background job; ``payload`` is its input, ``result`` its output once done."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_created_by_id", "created_by", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(enum_type(JobKind, "kind"))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, "status"), index=True)
    # The actor's audit label (``role#id name``); the uploader reads its own jobs by it.
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_user: Mapped[int]
    source: Mapped[str] = mapped_column(String(SOURCE_LENGTH))
    reason: Mapped[str | None] = mapped_column(Text)
    # The platform's time when the job was asked for; the evaluation runs as of this moment.
    queued_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
