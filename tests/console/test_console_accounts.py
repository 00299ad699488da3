"""The operator's 账户与令牌 page through TestClient: tokens listed without secrets, revoking
one, disabling and enabling a user, and who may open it (issue 9 §5)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from conftest import SAME_ORIGIN, Platform, power_user

from gzvpp.models import Role


class _Forms(HTMLParser):
    """Each form's action and its hidden fields, as a browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "form" and fields.get("method") == "post":
            self._current = self.forms.setdefault(fields.get("action") or "", {})
        elif tag == "input" and self._current is not None and fields.get("type") == "hidden":
            self._current[fields.get("name") or ""] = fields.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def post_form(platform: Platform, page: str, action: str) -> str:
    """Submit the page's form for ``action`` with its hidden fields; the page it lands on."""
    parser = _Forms()
    parser.feed(platform.client.get(page).text)
    assert action in parser.forms, f"no form for {action} on {page}"
    response = platform.client.post(action, data=parser.forms[action], headers=SAME_ORIGIN)
    assert response.status_code == 200, response.text
    return response.text


def sign_in(platform: Platform, token: str) -> None:
    platform.client.cookies.clear()
    response = platform.client.post(
        "/console/login", data={"token": token}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def token_row(page: str, token_id: int) -> str:
    match = re.search(rf'<tr class="token" id="token-{token_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for token #{token_id}"
    return match.group(1)


def api_token_ids(platform: Platform, user_id: int) -> list[int]:
    body = platform.client.get(f"/api/users/{user_id}", headers=platform.grid).json()
    return [t["id"] for t in body["tokens"]]


def test_the_operator_revokes_a_token_and_disables_a_user(platform: Platform) -> None:
    participant = platform.enrol(power_user("荔湾站", name="荔湾某厂"))
    victim = platform.token(Role.POWER_USER, participant["id"], name="荔湾操作员")
    users = platform.client.get(
        "/api/users", params={"q": "荔湾操作员"}, headers=platform.grid
    ).json()["items"]
    user_id = users[0]["id"]
    (token_id,) = api_token_ids(platform, user_id)

    sign_in(platform, platform.grid_token)
    page = platform.client.get("/console/users?q=荔湾")
    assert page.status_code == 200 and "账户与令牌" in page.text
    assert '<a href="/console/users" class="on">账户与令牌</a>' in page.text
    assert "荔湾操作员" in page.text and "荔湾某厂" in page.text
    row = token_row(page.text, token_id)
    assert f"{victim[:12]}…" in row and "有效" in row and "吊销" in row
    assert victim not in page.text
    assert 'class="card"' in page.text  # the table scrolls sideways inside its card

    revoked = post_form(
        platform, "/console/users?q=荔湾", f"/console/users/{user_id}/tokens/{token_id}/revoke"
    )
    assert f"已吊销令牌 #{token_id}" in revoked
    assert "已吊销" in token_row(revoked, token_id)
    assert "/revoke" not in token_row(revoked, token_id)
    refused = platform.client.get(
        "/api/participants", headers={"Authorization": f"Bearer {victim}"}
    )
    assert refused.status_code == 401

    spare = platform.client.post(f"/api/users/{user_id}/tokens", headers=platform.grid).json()
    disabled = post_form(platform, "/console/users?q=荔湾", f"/console/users/{user_id}/disable")
    assert f"已停用用户 #{user_id}" in disabled and "启用</button>" in disabled
    spare_headers = {"Authorization": f"Bearer {spare['token']}"}
    assert platform.client.get("/api/participants", headers=spare_headers).status_code == 401
    enabled = post_form(platform, "/console/users?q=荔湾", f"/console/users/{user_id}/enable")
    assert f"已启用用户 #{user_id}" in enabled
    assert platform.client.get("/api/participants", headers=spare_headers).status_code == 200


def test_a_revoked_token_no_longer_signs_in(platform: Platform) -> None:
    token = platform.token(Role.REGULATOR, name="待吊销的科员")
    sign_in(platform, token)
    assert platform.client.get("/console/overview").status_code == 200
    user_id = platform.client.get(
        "/api/users", params={"q": "待吊销的科员"}, headers=platform.grid
    ).json()["items"][0]["id"]
    (token_id,) = api_token_ids(platform, user_id)
    platform.client.post(f"/api/users/{user_id}/tokens/{token_id}/revoke", headers=platform.grid)
    # The cookie it signed in with stops at once: back to the sign-in page, which says why.
    assert platform.client.get("/console/overview").url.path == "/console/login"
    platform.client.cookies.clear()
    again = platform.client.post("/console/login", data={"token": token}, headers=SAME_ORIGIN)
    assert again.status_code == 401 and "令牌已于" in again.text and "吊销" in again.text


def test_only_the_grid_operator_opens_the_page(platform: Platform) -> None:
    sign_in(platform, platform.regulator_token)
    page = platform.client.get("/console/users")
    assert page.status_code == 403 and "无权访问" in page.text
    assert "账户与令牌" not in page.text  # not in the regulator's navigation either
    refused = platform.post("/console/users/1/disable")
    assert refused.status_code == 403
    sign_in(platform, platform.grid_token)
    own_id = platform.client.get("/api/users", params={"q": "调度员张工"}, headers=platform.grid)
    me = own_id.json()["items"][0]["id"]
    mine = platform.post(f"/console/users/{me}/disable")
    assert mine.status_code == 409 and "不能停用自己的账户" in mine.text
