"""企业: one enterprise's page — its credit code (masked), 失信 flag, loans, claims and
recoveries; a bank sees only an enterprise it lent to and its own loans."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from gzcreditpool.console.claims import DECISION_TEXT, STATUS_TEXT
from gzcreditpool.console.pages import PageActor, page_router, render
from gzcreditpool.enterprises import profile
from gzcreditpool.kit.params import RowId
from gzcreditpool.loans.service import STATUS_TEXT as LOAN_STATUS_TEXT
from gzkit.db import SessionDep

router = page_router()


@router.get("/enterprises/{enterprise_id}")
def enterprise_page(
    enterprise_id: RowId,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    full: Annotated[bool, Query()] = False,
) -> Response:
    """The enterprise's page; masked unless ``full`` (logged; never for the auditor)."""
    found = profile.profile(
        session, actor, enterprise_id, request.app.state.clock.now(),
        request.app.state.calendar, full=full,
    )  # fmt: skip
    return render(
        request,
        actor,
        "enterprise.html",
        found=found,
        firm=found.enterprise,
        loan_statuses=LOAN_STATUS_TEXT,
        claim_statuses=STATUS_TEXT,
        decisions=DECISION_TEXT,
        can_reveal=actor.sees_secrets,
    )
