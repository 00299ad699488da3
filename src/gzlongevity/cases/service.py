"""Intake tasks (L4, 第八条–第十条): a task to the street of registration 3 months before a
person turns 70 (or at once for people already 70 when the system starts), 3 months to notify,
then escalated to the district; applications of people the data missed; the notice with its
one-time code."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.db import bulk_insert
from gzkit.errors import Conflict, Invalid, NotFound
from gzkit.pagination import PaginationParams, paginate
from gzlongevity.cases.schemas import TaskOut
from gzlongevity.core.deadlines import (
    NOTIFY_MONTHS,
    add_months,
    intake_due,
    latest_birth_for_intake,
    month_of,
)
from gzlongevity.kit.audit import record, record_many
from gzlongevity.kit.auth import Actor, audited, mask_id, person_in_view
from gzlongevity.models import (
    IntakeTask,
    Notice,
    NoticeChannel,
    NoticeKind,
    Origin,
    Person,
    RegisterStatus,
    Role,
    TaskStatus,
)

CODE_DIGITS = 6
TASK_COLUMNS = (
    "person_id",
    "origin",
    "district",
    "street",
    "status",
    "created_on",
    "notify_by",
    "failed_attempts",
)
MAX_CODE_ATTEMPTS = 5


def code_hash(task_id: int, code: str) -> str:
    """The stored form of a task's one-time code (bound to the task)."""
    return hashlib.sha256(f"{task_id}:{code}".encode()).hexdigest()


def task_out(task: IntakeTask, person: Person, today: dt.date) -> TaskOut:
    """A task as the API shows it, at the place holding the person's case this month (after a
    move, the old street's until the handover)."""
    district, street = person.holder(month_of(today))
    return TaskOut(
        id=task.id,
        person_id_masked=mask_id(person.id_number),
        person_ref=person.ref,
        name=person.name,
        origin=task.origin,
        district=district,
        street=street,
        status=task.status,
        created_on=task.created_on,
        notify_by=task.notify_by,
        notified_on=task.notified_on,
        escalated_on=task.escalated_on,
        overdue=task.status is TaskStatus.OPEN and task.notify_by < today,
    )


def create_due_tasks(session: Session, now: dt.datetime) -> int:
    """A task for every registered, living, unconfirmed person whose intake is due (L4) and
    who has none yet; how many."""
    today = now.date()
    bound = latest_birth_for_intake(today) + dt.timedelta(days=1)  # 29 February, see below
    has_task = select(IntakeTask.id).where(IntakeTask.person_id == Person.id_number).exists()
    candidates = session.execute(
        select(Person.id_number, Person.birth_date, Person.district, Person.street).where(
            Person.status == RegisterStatus.REGISTERED,
            Person.confirmed_on.is_(None),
            Person.military.is_(False),
            Person.birth_date <= bound,
            ~has_task,
        )
    ).all()
    # The dates as ISO text, which both databases take for a date column, so that the driver
    # need not adapt two date objects for each of the first sweep's tens of thousands of rows.
    on, deadline = today.isoformat(), add_months(today, NOTIFY_MONTHS).isoformat()
    rows = [
        (person_id, Origin.DATA.value, district, street, TaskStatus.OPEN.value, on, deadline, 0)
        for person_id, birth, district, street in candidates
        if intake_due(birth, today)  # the exact 周岁 rule, 29 February included
    ]
    if rows:
        bulk_insert(session, "intake_tasks", TASK_COLUMNS, rows)
        record(
            session,
            "system",
            "intake_task.create_due",
            "intake_task",
            "*",
            None,
            {"count": len(rows), "on": today.isoformat()},
            at=now,
        )
    return len(rows)


def escalate_overdue(session: Session, now: dt.datetime) -> int:
    """Mark open tasks past their notice deadline as escalated to the district (第九条); how
    many newly."""
    today = now.date()
    overdue = list(
        session.scalars(
            select(IntakeTask.id).where(
                IntakeTask.status == TaskStatus.OPEN,
                IntakeTask.notify_by < today,
                IntakeTask.escalated_on.is_(None),
            )
        )
    )
    if overdue:
        session.execute(
            update(IntakeTask).where(IntakeTask.id.in_(overdue)).values(escalated_on=today)
        )
        record_many(
            session,
            "system",
            "intake_task.escalate",
            "intake_task",
            [
                (str(k), {"escalated_on": None}, {"escalated_on": today.isoformat()})
                for k in overdue
            ],
            at=now,
        )
    return len(overdue)


def tasks_query(
    actor: Actor, status: TaskStatus | None, overdue_only: bool, today: dt.date
) -> Select[IntakeTask, Person]:
    """The tasks of the people whose case the actor holds (a district: its streets'), by
    deadline."""
    statement = (
        select(IntakeTask, Person)
        .join(Person, Person.id_number == IntakeTask.person_id)
        .where(actor.sees())
    )
    if status is not None:
        statement = statement.where(IntakeTask.status == status)
    if overdue_only:
        statement = statement.where(
            IntakeTask.status == TaskStatus.OPEN, IntakeTask.notify_by < today
        )
    return statement.order_by(IntakeTask.notify_by, IntakeTask.id)


def list_tasks(
    session: Session,
    actor: Actor,
    today: dt.date,
    params: PaginationParams,
    status: TaskStatus | None = None,
    overdue_only: bool = False,
) -> tuple[list[TaskOut], int]:
    """One page of the actor's tasks."""
    statement = tasks_query(actor, status, overdue_only, today)
    count_rows, total = paginate(session, statement.with_only_columns(IntakeTask.id), params)
    ids = list(count_rows)
    if not ids:
        return [], total
    rows = session.execute(statement.where(IntakeTask.id.in_(ids))).all()
    return [task_out(task, person, today) for task, person in rows], total


def _task_in_view(session: Session, actor: Actor, task_id: int) -> tuple[IntakeTask, Person]:
    task = session.get(IntakeTask, task_id)
    if task is None:
        raise NotFound(f"没有任务 {task_id} / task not found")
    person = session.get(Person, task.person_id)
    assert person is not None
    if not actor.covers(person):
        raise NotFound(f"没有任务 {task_id} / task not found")
    return task, person


def notify(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    task_id: int,
    channel: NoticeChannel,
    recipient: str,
) -> tuple[IntakeTask, Person, Notice, str]:
    """Send the notice of an open task (or a fresh code for a notified one): a new one-time
    code, the notice in the outbox. Street of the person's registration.

    Raises
    ------
    Conflict
        The task is confirmed or closed.
    """
    actor.require(Role.STREET)
    task, person = _task_in_view(session, actor, task_id)
    if task.status in (TaskStatus.CONFIRMED, TaskStatus.CLOSED):
        raise Conflict(
            f"任务已{'确认' if task.status is TaskStatus.CONFIRMED else '关闭'} / "
            f"task is {task.status.value}"
        )
    before = snapshot(task)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    task.code_sha256 = code_hash(task.id, code)
    task.failed_attempts = 0
    task.status = TaskStatus.NOTIFIED
    task.notified_on = task.notified_on or now.date()
    notice = Notice(
        person_id=person.id_number,
        kind=NoticeKind.INTAKE,
        channel=channel,
        recipient=recipient,
        body=(
            f"{person.name}您好：根据《广州市长者长寿保健金发放管理办法》，您可申领长寿保健金。"
            f"请在穗好办或到所在村（居）委确认个人信息和银行账户，确认码 {code}。"
            f"——{task.street}"
        ),
        created_at=now,
    )
    session.add(notice)
    session.flush()
    record(
        session,
        actor.label,
        "intake_task.notify",
        "intake_task",
        str(task.id),
        audited(before, person),
        audited(snapshot(task), person),
        at=now,
    )
    return task, person, notice, code


def apply(
    session: Session, actor: Actor, now: dt.datetime, id_number: str, name: str
) -> tuple[IntakeTask, Person]:
    """An application by someone the data missed (第十条) at the committee or street: the
    person must be in the register (本市户籍) and living; the task joins the street's list.

    Raises
    ------
    Invalid
        Not registered in the city, or the name differs from the register's.
    Conflict
        Already confirmed, or a task is already open.
    """
    actor.require(Role.STREET, Role.COMMITTEE)
    person = person_in_view(session, actor, id_number)
    if person.status is not RegisterStatus.REGISTERED:
        raise Invalid("此人不在本市户籍中，无法申领 / not in the city register", "id_number")
    if person.name != name.strip():
        raise Invalid("姓名与户籍不符 / the name differs from the register", "name")
    if person.confirmed_on is not None:
        raise Conflict("此人已确认信息 / already confirmed")
    open_task = session.scalars(
        select(IntakeTask).where(
            IntakeTask.person_id == person.id_number,
            IntakeTask.status.in_([TaskStatus.OPEN, TaskStatus.NOTIFIED]),
        )
    ).first()
    if open_task is not None:
        raise Conflict(f"已有待办任务 {open_task.id} / a task is already open")
    today = now.date()
    task = IntakeTask(
        person_id=person.id_number,
        origin=Origin.APPLICATION,
        district=person.district,
        street=person.street,
        status=TaskStatus.OPEN,
        created_on=today,
        notify_by=add_months(today, NOTIFY_MONTHS),
        failed_attempts=0,
    )
    session.add(task)
    session.flush()
    record(
        session,
        actor.label,
        "intake_task.apply",
        "intake_task",
        str(task.id),
        None,
        audited(snapshot(task), person),
        at=now,
    )
    return task, person
