"""The console against forged forms and hostile pages (issue #9 §2): a form posted from another
origin or without the session's token changes nothing, pages carry security headers and no
inline script, and bad query parameters or bodies answer with the console's Chinese page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import SAME_ORIGIN, START, Platform, bearer, power_user

from gzkit.limits import DEFAULT_MAX_BYTES
from gzvpp.models import Role

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "gzvpp" / "console" / "templates"
# A page on another port of the same host: same site, so SameSite=Strict sends the cookie.
OTHER_PORT = {"Origin": "http://testserver:8081"}


def _status(platform: Platform, event_id: str) -> str:
    answer = platform.client.get(f"/api/events/{event_id}", headers=platform.grid)
    status: str = answer.json()["status"]
    return status


def _token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found is not None
    return found[1]


@pytest.fixture
def event_page(platform: Platform) -> str:
    platform.clock.set(START)
    event_id = platform.event("2025-07-01T15:00:00", "2025-07-01T16:00:00")
    platform.sign_in(platform.grid_token)
    return f"/console/events/{event_id}"


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        (SAME_ORIGIN, None),  # no token
        (SAME_ORIGIN, "0" * 64),  # a wrong token
        (OTHER_PORT, "page"),  # the right token, from another port of the host
        ({"Origin": "null"}, "page"),  # a sandboxed frame or data: page
        ({"Referer": "http://evil.example/x"}, "page"),  # no Origin, a foreign Referer
        ({}, "page"),  # neither Origin nor Referer
    ],
)
def test_a_forged_cancel_changes_nothing(
    platform: Platform, event_page: str, headers: dict[str, str], token: str | None
) -> None:
    html = platform.client.get(event_page).text
    data = {"reason": "伪造"}
    if token is not None:
        data["csrf_token"] = _token_of(html) if token == "page" else token
    forged = platform.client.post(f"{event_page}/cancel", data=data, headers=headers)
    assert forged.status_code == 403 and "请求被拒绝" in forged.text
    assert _status(platform, event_page.rsplit("/", 1)[1]) == "published"


def test_the_real_form_still_cancels(platform: Platform, event_page: str) -> None:
    done = platform.submit(event_page, f"{event_page}/cancel", reason="负荷回落", confirmed="1")
    assert done.status_code == 200 and "已取消" in done.text


def test_a_same_origin_referer_stands_in_for_a_missing_origin(
    platform: Platform, event_page: str
) -> None:
    token = _token_of(platform.client.get(event_page).text)
    referer = {"Referer": f"http://testserver{event_page}"}
    done = platform.client.post(
        f"{event_page}/cancel",
        data={"reason": "负荷回落", "csrf_token": token, "confirmed": "1"},
        headers=referer,
    )
    assert done.status_code == 200 and "已取消" in done.text


def test_another_sessions_token_does_not_pass(platform: Platform, event_page: str) -> None:
    platform.sign_in(platform.token(Role.GRID_OPERATOR, name="另一调度员"))
    theirs = _token_of(platform.client.get(event_page).text)
    platform.sign_in(platform.grid_token)
    forged = platform.client.post(
        f"{event_page}/cancel", data={"reason": "伪造", "csrf_token": theirs}, headers=SAME_ORIGIN
    )
    assert forged.status_code == 403


def test_participant_steps_and_sign_in_need_the_page(platform: Platform) -> None:
    applicant = platform.enrol(power_user("荔湾站", name="荔湾某厂"), activate=False)
    page = f"/console/participants/{applicant['id']}"
    platform.sign_in(platform.grid_token)
    forged = platform.client.post(f"{page}/start-review", headers=OTHER_PORT)
    assert forged.status_code == 403
    assert "已提交" in platform.client.get(page).text
    # Signing in (or out) from another origin is refused too.
    platform.client.cookies.clear()
    login = platform.client.post(
        "/console/login", data={"token": platform.grid_token}, headers=OTHER_PORT
    )
    assert login.status_code == 403 and "set-cookie" not in login.headers


def test_the_api_signed_by_the_cookie_needs_the_header(platform: Platform) -> None:
    applicant = platform.enrol(power_user("荔湾站", name="荔湾二厂"), activate=False)
    step = f"/api/participants/{applicant['id']}/start-review"
    platform.sign_in(platform.grid_token)
    token = _token_of(platform.client.get(f"/console/participants/{applicant['id']}").text)
    # A form posted from another port of the host carries the cookie, not the header.
    assert platform.client.post(step, headers=OTHER_PORT).status_code == 403
    assert platform.client.post(step, headers=SAME_ORIGIN).status_code == 403
    refused = platform.client.post(step, headers={**OTHER_PORT, "X-CSRF-Token": token})
    assert refused.status_code == 403 and "cross-site" in refused.json()["detail"]
    done = platform.client.post(step, headers={**SAME_ORIGIN, "X-CSRF-Token": token})
    assert done.status_code == 200 and done.json()["status"] == "grid_review"
    # Reading needs nothing more, and a bearer token is not ambient: no origin needed.
    assert platform.client.get("/api/participants").status_code == 200
    platform.client.cookies.clear()
    other = platform.enrol(power_user("荔湾站", name="荔湾三厂"), activate=False)
    by_bearer = platform.client.post(
        f"/api/participants/{other['id']}/start-review", headers=bearer(platform.grid_token)
    )
    assert by_bearer.status_code == 200


def test_console_pages_send_security_headers(platform: Platform) -> None:
    platform.sign_in(platform.grid_token)
    for path in ("/console/overview", "/console/login", "/console/static/console.js"):
        headers = platform.client.get(path).headers
        policy = headers["content-security-policy"]
        script = next(p for p in policy.split("; ") if p.startswith("script-src"))
        assert script == "script-src 'self'", policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    # The JSON API keeps its own headers.
    assert "content-security-policy" not in platform.client.get("/api/participants").headers


def test_templates_hold_no_inline_script() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+=", text), template.name
        for form in re.findall(r'<form method="post"[^>]*>.*?</form>', text, re.S):
            if 'action="/console/login"' not in form:
                assert 'name="csrf_token"' in form, (template.name, form)


@pytest.mark.parametrize(
    "query",
    ["/console/participants?page=abc", "/console/events?status=bogus", "/console/publicity?page=0"],
)
def test_bad_query_parameters_render_the_error_page(platform: Platform, query: str) -> None:
    platform.sign_in(platform.grid_token)
    page = platform.client.get(query)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "原因：" in page.text  # each parameter by its Chinese label and what is wrong
    assert "abc" not in page.text and "bogus" not in page.text and '"detail"' not in page.text


def test_a_console_body_over_the_limit_renders_the_error_page(
    platform: Platform, event_page: str
) -> None:
    token = _token_of(platform.client.get(event_page).text)
    data: dict[str, Any] = {"reason": "x" * DEFAULT_MAX_BYTES, "csrf_token": token}
    page = platform.client.post(f"{event_page}/cancel", data=data, headers=SAME_ORIGIN)
    assert page.status_code == 413 and "请求过大" in page.text and "1 MiB" in page.text
    assert _status(platform, event_page.rsplit("/", 1)[1]) == "published"
