"""A person's sign-in with account name and password, on a desk and a phone: the operator sets
the password on 账户与令牌, the person signs in, changes it, signs out; the token section stays
for machines and tests. And the portal's notices (one per result, each a link) and its rank
score tile (issue 10 §5, Also)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import (
    BLOCKED,
    SAME_ORIGIN,
    Platform,
    Programme,
    require_browser,
    shot,
)
from sqlalchemy import select

from gzkit.db import session_scope
from gzvpp.display import rank_score
from gzvpp.models import AuditLog, Role

FIRST = "初始密码-2025"
CHOSEN = "自己的密码-2025"


def user_id(platform: Platform, name: str) -> int:
    found = platform.client.get("/api/users", params={"q": name}, headers=platform.grid)
    found_id: int = found.json()["items"][0]["id"]
    return found_id


def password_sign_in(platform: Platform, name: str, password: str) -> Any:
    platform.client.cookies.clear()
    return platform.client.post(
        "/console/login",
        data={"name": name, "password": password},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )


def test_the_operator_sets_a_password_and_the_person_signs_in_with_it(
    platform: Platform,
) -> None:
    platform.token(Role.REGULATOR, name="市工信局王科")
    uid = user_id(platform, "市工信局王科")
    platform.sign_in(platform.grid_token)
    users = platform.client.get("/console/users?q=市工信局王科").text
    assert "未设密码" in users and f'href="/console/users/{uid}/password">设置密码' in users
    action = f"/console/users/{uid}/password"
    differ = platform.submit(action, action, password=FIRST, password_again=FIRST + "x")
    assert differ.status_code == 422 and "两次输入的密码不一致" in differ.text
    short = platform.submit(action, action, password="短密码", password_again="短密码")
    assert short.status_code == 422 and "密码至少 8 个字符" in short.text
    done = platform.submit(action, action, password=FIRST, password_again=FIRST)
    assert done.status_code == 200 and f"已为用户 #{uid} 市工信局王科 设置密码" in done.text
    assert "密码设于" in done.text

    unknown = password_sign_in(platform, "没有这个账户", FIRST)
    wrong = password_sign_in(platform, "市工信局王科", "不对的密码-0000")
    assert unknown.status_code == wrong.status_code == 401
    message = re.search(r'<p class="error" role="alert">(.*?)</p>', wrong.text)
    assert message and message[1].startswith("账户名或密码不正确")
    assert message[1] in unknown.text  # the same words: the form does not tell who exists
    assert FIRST not in wrong.text and 'value="市工信局王科"' in wrong.text

    signed_in = password_sign_in(platform, "市工信局王科", FIRST)
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=28800" in cookie
    overview = platform.client.get("/console/")
    assert overview.url.path == "/console/overview" and "市工信局王科" in overview.text


def test_a_person_changes_their_own_password_and_signing_out_ends_the_session(
    platform: Platform,
) -> None:
    platform.token(Role.REGULATOR, name="市工信局赵科")
    uid = user_id(platform, "市工信局赵科")
    platform.sign_in(platform.grid_token)
    action = f"/console/users/{uid}/password"
    platform.submit(action, action, password=FIRST, password_again=FIRST)
    assert password_sign_in(platform, "市工信局赵科", FIRST).status_code == 303
    page = platform.client.get("/console/password")
    assert page.status_code == 200 and "当前密码" in page.text
    wrong = platform.submit(
        "/console/password", "/console/password",
        current="不对的密码-0000", password=CHOSEN, password_again=CHOSEN,
    )  # fmt: skip
    assert wrong.status_code == 401 and "当前密码不正确" in wrong.text
    changed = platform.submit(
        "/console/password", "/console/password",
        current=FIRST, password=CHOSEN, password_again=CHOSEN,
    )  # fmt: skip
    assert changed.status_code == 200 and "密码已修改" in changed.text
    session_cookie = platform.client.cookies.get("gzvpp_token")
    assert session_cookie is not None
    out = platform.submit("/console/overview", "/console/logout")
    assert out.url.path == "/console/login"
    # The session's token no longer works, even if someone kept the cookie.
    platform.client.cookies.set("gzvpp_token", session_cookie)
    assert platform.client.get("/api/events").status_code == 401
    assert password_sign_in(platform, "市工信局赵科", FIRST).status_code == 401
    assert password_sign_in(platform, "市工信局赵科", CHOSEN).status_code == 303
    with session_scope(platform.app.state.read_sessionmaker) as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.entity_id == str(uid))
        ).all()
    assert {"platform_user.password_set", "platform_user.sign_in"} <= set(actions)


def test_portal_notices_link_to_their_pages_once_per_result(
    platform: Platform, programme: Programme
) -> None:
    platform.sign_in(programme.trader_token)
    portal = platform.client.get("/console/portal").text
    result_link = f'href="/console/results/{programme.event_id}/{programme.trader_id}"'
    assert portal.count(result_link) == 1
    assert f'href="/console/portal/events/{programme.event_id}">邀约' in portal
    for href in set(re.findall(r'<li><span class="muted">[^<]*</span> <a href="([^"]+)"', portal)):
        assert platform.client.get(href).status_code == 200, href
    tile = re.search(r"<b>([^<]*)</b><span>排序得分", portal)
    assert tile is not None and re.fullmatch(r"\d\.\d\d", tile[1]), tile[1]


def test_rank_scores_read_to_two_decimals_half_up() -> None:
    assert rank_score(None) == "—"
    assert rank_score(0.933333) == "0.93"
    assert rank_score(0.865) == "0.87"
    assert rank_score(1) == "1.00"


# ---- in the browser ---------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_password_sign_in_in_the_browser(
    platform: Platform, base_url: str, browser: Any, width: int, height: int
) -> None:
    require_browser()
    name = f"调度员{width}"
    platform.token(Role.GRID_OPERATOR, name=name)
    uid = user_id(platform, name)
    platform.sign_in(platform.grid_token)
    action = f"/console/users/{uid}/password"
    platform.submit(action, action, password=FIRST, password_again=FIRST)
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/console/login")
    assert page.locator("#token-sign-in input[name=token]").is_hidden()  # the second section
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shot(page, f"signin-login-{width}px")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", "不对的密码-0000")
    page.click("#password-sign-in button[type=submit]")
    assert "账户名或密码不正确" in page.inner_text("p.error")
    shot(page, f"signin-refused-{width}px")
    page.fill("input[name=password]", FIRST)
    page.click("#password-sign-in button[type=submit]")
    page.wait_for_url("**/console/overview")
    if width < 600:
        page.click(".menu-toggle")
    page.click("text=修改密码")
    page.fill("input[name=current]", FIRST)
    page.fill("input[name=password]", CHOSEN)
    page.fill("input[name=password_again]", CHOSEN)
    page.click("main button[type=submit]")
    assert "密码已修改" in page.inner_text("main")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shot(page, f"signin-changed-{width}px")
    page.goto(f"/console/users?q={name}")
    assert "密码设于" in page.inner_text(f"#user-{uid}")
    shot(page, f"signin-users-{width}px")
    context.close()
    assert not BLOCKED
