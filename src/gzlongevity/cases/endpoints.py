"""HTTP routes of the intake pipeline: ``/api/tasks``, ``/api/applications``,
``/api/admin/sweep`` (the daily work: new tasks, escalations, recovery orders)."""

from __future__ import annotations

from fastapi import APIRouter

from gzkit.clock import ClockDep
from gzkit.db import RowId, SessionDep
from gzkit.pagination import ListResource, PaginationQuery
from gzlongevity.cases import service
from gzlongevity.cases.schemas import ApplicationIn, NotifyIn, NotifyOut, SweepOut, TaskOut
from gzlongevity.cases.tasks import daily_sweep
from gzlongevity.kit.auth import ActorDep
from gzlongevity.models import Role, TaskStatus

router = APIRouter(tags=["intake tasks"])


@router.get("/tasks", summary="List intake tasks")
def list_tasks(
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    pagination: PaginationQuery,
    status: TaskStatus | None = None,
    overdue: bool = False,
) -> ListResource[TaskOut]:
    """The tasks in the actor's jurisdiction by notice deadline; ``overdue`` only those past it."""
    items, total = service.list_tasks(
        session, actor, clock.now().date(), pagination, status, overdue
    )
    return ListResource[TaskOut].build(items, total, pagination)


@router.post("/tasks/{task_id}/notify", summary="Notify the person")
def notify(
    task_id: RowId, body: NotifyIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> NotifyOut:
    """The street sends the notice with a one-time code (into the outbox). Street only."""
    now = clock.now()
    task, person, notice, code = service.notify(
        session, actor, now, task_id, body.channel, body.recipient
    )
    return NotifyOut(
        task=service.task_out(task, person, now.date()), notice_id=notice.id, code=code
    )


@router.post("/applications", status_code=201, summary="Apply (第十条)")
def apply(body: ApplicationIn, actor: ActorDep, session: SessionDep, clock: ClockDep) -> TaskOut:
    """An application of someone the data missed, recorded by the committee or street."""
    now = clock.now()
    task, person = service.apply(session, actor, now, body.id_number, body.name)
    return service.task_out(task, person, now.date())


@router.post("/admin/sweep", summary="Run the daily sweep")
def sweep(actor: ActorDep, session: SessionDep, clock: ClockDep) -> SweepOut:
    """New intake tasks, escalations of overdue ones, 责令退回 orders of overpayments unreturned
    for 3 months. City only (a scheduler or the demo calls it daily)."""
    actor.require(Role.CITY)
    return daily_sweep(session, clock.now())
