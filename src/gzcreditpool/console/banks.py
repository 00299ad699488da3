"""合作银行: the call's applications with 第二十条's conditions and their evidence, the experts'
scores, publicity and selection (第二十二条), and a bank losing its status (第二十五条)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request, Response

from gzcreditpool.banks import service
from gzcreditpool.banks.schemas import (
    CONDITIONS,
    ApplicationIn,
    CallIn,
    PublicityIn,
    RevocationIn,
    ScoresIn,
)
from gzcreditpool.console.pages import STAFF, PageActor, done, page_router, parse, render
from gzkit.console.paging import listing, paging
from gzkit.db import SessionDep

router = page_router()
PAGE = "/console/banks"
NOTICES = {
    "call": "申报指南已发布。",
    "applied": "申报已登记。",
    "reviewed": "专家评审结果已登记。",
    "publicity": "已进入社会公示。",
    "decided": "已作出入选决定。",
    "revoked": "已取消合作银行资格。",
}


@router.get("/banks")
def banks_page(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    calls_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    notice: Annotated[str, Query(alias="done", max_length=20)] = "",
) -> Response:
    """The banks and the calls, page by page; the forms of each step."""
    actor.require(*STAFF)
    today = request.app.state.clock.now().date()
    banks, total = service.listing(session, paging(page))
    calls, calls_total = service.calls(session, paging(calls_page))
    return render(
        request,
        actor,
        "banks.html",
        **listing(banks, total, page),
        calls=calls,
        calls_paging=listing(calls, calls_total, calls_page),
        open_calls=service.open_calls(session, today),
        today=today,
        statuses=service.STATUS_NAMES,
        conditions=CONDITIONS,
        notice=NOTICES.get(notice, ""),
    )


@router.post("/banks")
def apply(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    call_id: Annotated[str, Form(max_length=12)],
    code: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=200)],
    branch_evidence: Annotated[str, Form(max_length=500)],
    policies_evidence: Annotated[str, Form(max_length=500)],
    process_evidence: Annotated[str, Form(max_length=500)],
    branch_met: Annotated[str, Form(max_length=5)] = "",
    policies_met: Annotated[str, Form(max_length=5)] = "",
    process_met: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """The trustee records an application: each condition met or not, with its evidence."""
    given = {
        "branch": (branch_met, branch_evidence),
        "policies": (policies_met, policies_evidence),
        "process": (process_met, process_evidence),
    }
    body = parse(
        ApplicationIn,
        {
            "call_id": call_id,
            "code": code.strip(),
            "name": name.strip(),
            "conditions": [
                {"key": key, "met": met == "true", "evidence": evidence.strip()}
                for key, (met, evidence) in given.items()
            ],
        },
    )
    service.apply(session, actor, body, request.app.state.clock.now())
    return done(PAGE, "applied")


@router.post("/banks/calls")
def publish_call(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    title: Annotated[str, Form(max_length=200)],
    opens_on: Annotated[str, Form(max_length=10)],
    closes_on: Annotated[str, Form(max_length=10)],
) -> Response:
    """市科技局 publishes a call for partner banks (申报指南)."""
    body = parse(CallIn, {"title": title.strip(), "opens_on": opens_on, "closes_on": closes_on})
    service.publish_call(session, actor, body, request.app.state.clock.now())
    return done(PAGE, "call")


@router.post("/banks/{code}/review")
def review(
    code: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    scores: Annotated[str, Form(max_length=500)],
) -> Response:
    """The trustee enters the expert committee's scores, separated by commas or spaces."""
    body = parse(ScoresIn, {"scores": scores.replace("，", ",").replace(",", " ").split()})
    service.review(session, actor, code, body.scores, request.app.state.clock.now())
    return done(PAGE, "reviewed")


@router.post("/banks/{code}/publicity")
def publicise(
    code: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    until: Annotated[str, Form(max_length=10)],
) -> Response:
    body = parse(PublicityIn, {"until": until})
    service.publicise(session, actor, code, body.until, request.app.state.clock.now())
    return done(PAGE, "publicity")


@router.post("/banks/{code}/decision")
def decide(
    code: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    selected: Annotated[str, Form(max_length=5)],
) -> Response:
    service.decide(session, actor, code, selected == "true", request.app.state.clock.now())
    return done(PAGE, "decided")


@router.post("/banks/{code}/revocation")
def revoke(
    code: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    body = parse(RevocationIn, {"reason": reason})
    service.revoke(session, actor, code, body.reason, request.app.state.clock.now())
    return done(PAGE, "revoked")
