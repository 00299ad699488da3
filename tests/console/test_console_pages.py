"""The console's pages through TestClient: sign-in, the cookie, and who may open what."""

from __future__ import annotations

from conftest import SAME_ORIGIN, START, Platform, aggregator, power_user

from gzvpp.kit.auth import TOKEN_COOKIE
from gzvpp.models import Role


def signed_in(platform: Platform, token: str) -> Platform:
    """Sign the platform's client in with ``token`` (the cookie stays on the client)."""
    platform.sign_in(token)
    return platform


def _page_token(platform: Platform) -> str:
    """The form token a console page gives the signed-in client (its ``csrf-token`` meta)."""
    page = platform.client.get("/console/").text
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def test_pages_need_sign_in(platform: Platform) -> None:
    platform.client.cookies.clear()
    response = platform.client.get("/console/overview", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/console/login")
    page = platform.client.get("/")
    assert page.status_code == 200 and "访问令牌" in page.text


def test_sign_in_sets_a_strict_http_only_cookie(platform: Platform) -> None:
    platform.client.cookies.clear()
    wrong = platform.client.post(
        "/console/login", data={"token": "gzvpp_nope"}, headers=SAME_ORIGIN
    )
    assert wrong.status_code == 401 and "令牌无效" in wrong.text
    response = platform.client.post(
        "/console/login",
        data={"token": platform.grid_token},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert TOKEN_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = platform.client.get("/console/")
    assert home.url.path == "/console/overview" and "总览" in home.text
    # The same cookie works for the JSON API; the bearer header still does too.
    assert platform.client.get("/api/participants").status_code == 200
    platform.client.cookies.clear()
    assert platform.client.get("/api/participants").status_code == 401
    assert platform.client.get("/api/participants", headers=platform.grid).status_code == 200


def test_sign_out_forgets_the_cookie(platform: Platform) -> None:
    signed_in(platform, platform.grid_token)
    response = platform.client.post(
        "/console/logout",
        data={"csrf_token": _page_token(platform)},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303 and 'gzvpp_token=""' in response.headers["set-cookie"]
    platform.client.cookies.clear()
    assert platform.client.get("/console/overview").url.path == "/console/login"


def test_a_participant_sees_only_its_own_pages(platform: Platform) -> None:
    mine = platform.enrol(power_user("越秀站", name="自己的工厂"))
    other = platform.enrol(aggregator("越秀站", name="别人的聚合商"))
    signed_in(platform, platform.token(Role.POWER_USER, mine["id"]))
    portal = platform.client.get("/console/")
    assert portal.url.path == "/console/portal" and "自己的工厂" in portal.text
    assert platform.client.get(f"/console/participants/{mine['id']}").status_code == 200
    stranger = platform.client.get(f"/console/participants/{other['id']}")
    assert stranger.status_code == 404 and "未找到" in stranger.text and "我的邀约" in stranger.text
    assert "别人的聚合商" not in stranger.text
    assert platform.client.get("/console/results/DR20250701-01/" + other["id"]).status_code == 404
    for staff_page in ("/console/overview", "/console/participants", "/console/events"):
        assert platform.client.get(staff_page).status_code == 403
    assert platform.client.get("/console/settlement").status_code == 403


def test_staff_pages_render(platform: Platform) -> None:
    platform.enrol(power_user("番禺站", name="番禺某厂"))
    signed_in(platform, platform.grid_token)
    for path, text in (
        ("/console/overview", "今日及后续事件"),
        ("/console/participants?q=番禺&sort=-capability_kw", "番禺某厂"),
        ("/console/publicity", "公示名单"),
        ("/console/events", "发布新事件"),
        ("/console/events/new", "规则核对"),
        ("/console/settlement?quarter=2025Q3", "季度结算 2025Q3"),
    ):
        page = platform.client.get(path)
        assert page.status_code == 200 and text in page.text, path
    # The page's download link is the API's export, which the cookie opens.
    export = platform.client.get("/api/settlement/quarters/2025Q3/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    # The participants' portal is not theirs.
    assert platform.client.get("/console/portal").status_code == 403
    # The regulator may not create events.
    signed_in(platform, platform.regulator_token)
    assert platform.client.get("/console/events/new").status_code == 403


def test_participant_list_filters_sorts_and_pages_on_the_server(platform: Platform) -> None:
    for i in range(23):
        platform.enrol(
            power_user("花都站", name=f"花都厂{i:02d}", capability_kw=str(100 + i)), activate=False
        )
    signed_in(platform, platform.grid_token)
    first = platform.client.get("/console/participants?substation=花都站&sort=-capability_kw")
    assert "共 23 条，第 1 / 2 页" in first.text
    assert first.text.index("花都厂22") < first.text.index("花都厂21")
    second = platform.client.get(
        "/console/participants?substation=花都站&sort=-capability_kw&page=2"
    )
    assert "花都厂00" in second.text and "花都厂22" not in second.text


def test_enrolment_review_through_the_console(platform: Platform) -> None:
    applicant = platform.enrol(power_user("白云站", name="白云某厂"), activate=False)
    ineligible = platform.enrol(
        power_user("白云站", name="不合格厂", general_taxpayer=False), activate=False
    )
    page = f"/console/participants/{applicant['id']}"
    signed_in(platform, platform.grid_token)
    review = platform.client.get(page)
    assert "准入条件核验" in review.text and "✔ 通过" in review.text and "开始审核" in review.text
    assert "已完成：开始审核" in platform.post(f"{page}/start-review").text
    asked = platform.post(f"{page}/pass-review")
    assert "进入公示名单" in asked.text and "电网审核中" in platform.client.get(page).text
    assert "公示中" in platform.post(f"{page}/pass-review", confirmed="1").text
    # The regulator closes the publicity; the grid operator signs.
    signed_in(platform, platform.regulator_token)
    assert "公示无异议" in platform.client.get(page).text
    platform.post(f"{page}/clear-publicity", confirmed="1")
    signed_in(platform, platform.grid_token)
    assert "已签约" in platform.submit(page, f"{page}/activate").text
    # A failed check is shown, and passing review is refused with the service's reason.
    bad = f"/console/participants/{ineligible['id']}"
    assert "✘ 未通过" in platform.client.get(bad).text
    platform.post(f"{bad}/start-review")
    refused = platform.post(f"{bad}/pass-review", confirmed="1")
    assert refused.status_code == 409 and "未满足准入条件（第四条）：一般纳税人" in refused.text
    assert "general_taxpayer" not in refused.text and "eligible" not in refused.text
    form = {"reason": "不具备一般纳税人资格"}
    assert "所占营销户号全部释放" in platform.post(f"{bad}/reject", **form).text
    rejected = platform.post(f"{bad}/reject", **form, confirmed="1")
    assert "已驳回" in rejected.text and "不具备一般纳税人资格" in rejected.text


def test_plotly_and_static_files_ship_with_the_package(platform: Platform) -> None:
    plotly = platform.client.get("/console/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    assert platform.client.get("/console/static/console.css").status_code == 200
    assert platform.client.get("/console/static/nothing.js").status_code == 404


def test_cancellation_explains_the_four_hour_rule(platform: Platform) -> None:
    morning = platform.event("2025-07-01T10:00:00", "2025-07-01T11:00:00")
    afternoon = platform.event("2025-07-01T14:00:00", "2025-07-01T15:00:00")
    signed_in(platform, platform.grid_token)
    page = f"/console/events/{morning}"
    assert "即不晚于 <b>2025-07-01 06:00</b>" in platform.client.get(page).text
    blank = platform.submit(page, f"{page}/cancel", reason="  ")
    assert blank.status_code == 422 and "请填写理由" in blank.text
    cancelled = platform.post(f"/console/events/{morning}/cancel", reason="负荷回落", confirmed="1")
    assert "已取消" in cancelled.text and "负荷回落" in cancelled.text
    platform.clock.set(START.replace(day=1, month=7, hour=11))
    try:
        late = platform.post(f"/console/events/{afternoon}/cancel", reason="太晚", confirmed="1")
        assert late.status_code == 409 and "4 小时" in late.text
    finally:
        platform.clock.set(START)
