"""Bodies of the jobs API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from gzvpp.models import JobKind, JobStatus
from gzvpp.settlement.schemas import EvaluationReport


class JobRef(BaseModel):
    """A job as an upload's answer names it."""

    id: int
    status: JobStatus = Field(
        description="queued (排队中), running (运行中), done (已完成) or failed (失败)."
    )


class JobView(JobRef):
    """One background job (后台任务) and how it went."""

    kind: JobKind = Field(description="evaluation: the events an upload touched (上传后评估).")
    status_label: str = Field(description="The status in Chinese.")
    source: str = Field(description="What asked for it, e.g. ``meter_data.upload loads.csv``.")
    created_by: str = Field(description="Who asked for it (the uploader).")
    queued_at: dt.datetime = Field(description="When it was queued (platform time).")
    started_at: dt.datetime | None = Field(description="When its last run started.")
    finished_at: dt.datetime | None = Field(description="When it was done or given up.")
    attempts: int = Field(description="Runs started so far.")
    error: str | None = Field(description="Why the last run failed: one line, in Chinese.")
    evaluations: list[EvaluationReport] = Field(
        description="Once done: the events it (re-)evaluated, as the upload's answer lists them."
    )
