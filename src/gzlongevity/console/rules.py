"""The rule configuration (L2, 第五条, L9) for the city, the districts, finance and audit: the
measures in force with their months and district share, and each district's standards with
their valid-from months; the city adds a successor version here, checked as the API checks
it (:func:`gzlongevity.rules.service.add_version`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from gzkit.clock import ClockDep
from gzkit.console.validation import form_model
from gzkit.db import SessionDep
from gzlongevity.console.pages import RULE_READERS, PageActor, PageRoute, render
from gzlongevity.models import Role
from gzlongevity.rules import service
from gzlongevity.rules.schemas import VersionIn

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
Month = Annotated[str, Form(max_length=7)]


@router.get("/rules")
def rules_page(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """Every rule version and district standard; the city's form for a successor."""
    actor.require(*RULE_READERS)
    return render(
        request, actor, "rules.html", rules=service.rules(session), can_add=actor.role is Role.CITY
    )


@router.post("/rules/versions")
def add_version(
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    version_name: Annotated[str, Form(max_length=200)],
    from_month: Month,
    to_month: Month,
    district_share_pct: Annotated[str, Form(max_length=3)] = "50",
) -> Response:
    """A successor rule version (city only), from a month after the last approved run."""
    body = form_model(
        VersionIn,
        renamed={"name": "version_name"},
        name=version_name,
        from_month=from_month.strip(),
        to_month=to_month.strip(),
        district_share_pct=district_share_pct.strip(),
    )
    service.add_version(session, actor, clock.now(), body)
    return RedirectResponse("/console/rules", status_code=303)
