"""The console names people by reference (第二十一条): the search posts the ID number and
redirects to ``/console/persons/{ref}``; an old-style address with an ID number is the
Chinese 404 page, for a page and for a form alike."""

from __future__ import annotations

from conftest import SAME_ORIGIN, form_token, signed_in
from fastapi import FastAPI
from lcon_world import World


def test_the_search_posts_the_id_number_and_lands_on_the_ref(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    client = signed_in(app, world.street)
    token = form_token(client, "/console/worklist")
    found = client.post(
        "/console/find",
        data={"csrf_token": token, "id_number": world.staff_confirms},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert found.status_code == 303
    assert found.headers["location"] == f"/console/persons/{world.staff_ref}"
    page = client.get(found.headers["location"]).text
    assert world.staff_confirms not in page and f"/console/persons/{world.staff_ref}/" in page
    worklist = client.get("/console/worklist").text
    assert 'action="/console/find"' in worklist and 'method="post"' in worklist
    assert "/console/persons/" in worklist and world.elder_id not in worklist
    old = client.get(f"/console/find?q={world.staff_confirms}")  # the old GET search
    assert old.status_code in (404, 405) and world.staff_confirms not in old.text


def test_old_style_addresses_with_an_id_number_are_not_found(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    client = signed_in(app, world.street)
    page = client.get(f"/console/persons/{world.staff_confirms}")
    assert page.status_code == 404 and "未找到" in page.text
    token = form_token(client, "/console/worklist")
    check = {"csrf_token": token, "kind": "phone", "checked_on": "2021-10-20", "passed": "1"}
    posted = client.post(
        f"/console/persons/{world.staff_confirms}/checks", data=check, headers=SAME_ORIGIN
    )
    assert posted.status_code == 404 and world.staff_confirms not in posted.text
