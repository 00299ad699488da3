"""政策版本: this policy's validity and the earlier policies whose loans were carried in (C10;
第三十一条, 第三十二条), for the staff; 市科技局 registers an earlier policy and carries in the
loans confirmed under it here."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request, Response

from gzcreditpool.console.loans import LoanForm
from gzcreditpool.console.pages import STAFF, PageActor, done, page_router, parse, render
from gzcreditpool.loans import service as loans
from gzcreditpool.loans.schemas import CarriedLoanIn
from gzcreditpool.policies import service
from gzcreditpool.policies.schemas import PolicyVersionIn
from gzkit.console.paging import paged_slice
from gzkit.db import SessionDep

router = page_router()
PAGE = "/console/policies"
NOTICES = {"registered": "原政策版本已登记。", "carried": "贷款已按原政策转入。"}


@router.get("/policies")
def policies_page(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    notice: Annotated[str, Query(alias="done", max_length=20)] = "",
) -> Response:
    """The versions, the latest in force first, with how many loans each holds; the earlier
    ones to carry loans in under."""
    actor.require(*STAFF)
    versions = service.versions(session, actor)
    return render(
        request,
        actor,
        "policies.html",
        **paged_slice(versions, page),
        earlier=[version for version in versions if version.earlier],
        notice=NOTICES.get(notice, ""),
    )


@router.post("/policies")
def register(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    code: Annotated[str, Form(max_length=16)],
    title: Annotated[str, Form(max_length=100)],
    starts_on: Annotated[str, Form(max_length=10)],
    ends_on: Annotated[str, Form(max_length=10)],
) -> Response:
    """市科技局 registers an earlier policy (第三十一条)."""
    body = parse(
        PolicyVersionIn,
        {"code": code.strip(), "title": title.strip(), "starts_on": starts_on, "ends_on": ends_on},
    )
    service.register(session, actor, body, request.app.state.clock.now())
    return done(PAGE, "registered")


@router.post("/policies/loans")
def carry_in(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    fields: LoanForm,
    code: Annotated[str, Form(max_length=16)],
    bank_code: Annotated[str, Form(max_length=20)],
    confirmed_on: Annotated[str, Form(max_length=10)],
) -> Response:
    """市科技局 carries in a loan confirmed under the earlier policy ``code`` (第三十一条)."""
    extra = {"bank_code": bank_code.strip(), "confirmed_on": confirmed_on}
    body = parse(CarriedLoanIn, fields | extra)
    loans.carry_in(session, actor, code, body, request.app.state.clock.now())
    return done(PAGE, "carried")
