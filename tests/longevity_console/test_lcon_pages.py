"""The console's pages without a browser: sign-in and the role's home, forged forms refused,
refusals and unknown pages in Chinese, the street's forms through to the service."""

from __future__ import annotations

import re

from conftest import SAME_ORIGIN, form_token, signed_in
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lcon_world import WAITING, World


def test_sign_in_leads_each_role_home(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    assert (
        TestClient(app).get("/console/worklist", follow_redirects=False).headers["location"]
        == "/console/login"
    )
    for token, home in (
        (world.street, "/console/worklist"),
        (world.district, "/console/runs"),
        (world.city, "/console/dashboard"),
    ):
        client = signed_in(app, token)
        assert client.get("/console/", follow_redirects=False).headers["location"] == home
        assert client.get(home).status_code == 200
    wrong = TestClient(app).post(
        "/console/login",
        data={"name": "北京街 李工", "password": "not-the-password"},
        headers=SAME_ORIGIN,
    )
    assert wrong.status_code == 401 and "账户名或密码不正确" in wrong.text


def test_worklist_pages_tasks_and_refuses_forged_forms(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    client = signed_in(app, world.street)
    page = client.get("/console/worklist").text
    assert f"待通知（{WAITING}）" in page  # of WAITING + 3: one notified, two confirmed
    assert "下一页" in page
    forged = client.post(f"/console/persons/{world.staff_ref}/agreement", headers=SAME_ORIGIN)
    assert forged.status_code == 403 and "请求被拒绝" in forged.text
    assert "未找到" in client.get("/console/no-such-page").text
    district = signed_in(app, world.district)
    refused = district.get("/console/worklist")
    assert refused.status_code == 403 and "无权访问" in refused.text


def test_street_confirms_on_behalf_with_chinese_errors(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    client = signed_in(app, world.street)
    page = f"/console/persons/{world.staff_ref}"
    shown = re.search(r'<dd id="id-number">([^<]*)</dd>', client.get(page).text)
    assert (
        shown is not None
        and shown[1] == world.staff_confirms[:6] + "*" * 8 + world.staff_confirms[-4:]
    )
    token = form_token(client, page)
    fields = {
        "csrf_token": token,
        "channel": "street",
        "bank_name": "工商银行",
        "evidence": "本人到场签字",
        "agreement": "1",
    }
    bad = client.post(
        f"{page}/confirm", data=fields | {"bank_account": "12ab"}, headers=SAME_ORIGIN
    )
    assert bad.status_code == 422 and "银行账号：格式不正确" in bad.text
    done = client.post(
        f"{page}/confirm",
        data=fields | {"bank_account": "6222020200009998888"},
        headers=SAME_ORIGIN,
    )
    assert done.status_code == 200 and "街（镇）代办" in done.text
    full = client.post(f"{page}/full", data={"csrf_token": token}, headers=SAME_ORIGIN)
    assert f'<dd id="id-number">{world.staff_confirms}</dd>' in full.text
    assert "6222020200009998888" in full.text


def test_an_officer_sets_a_password_and_signs_in_with_it(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    client = signed_in(app, world.district)
    token = form_token(client, "/console/password")
    fields = {"csrf_token": token, "password": "越秀区审批2021", "password_again": "越秀区审批2021"}
    assert "密码已修改" in client.post("/console/password", data=fields, headers=SAME_ORIGIN).text
    wrong = client.post(
        "/console/password", data=fields | {"current": "not-it"}, headers=SAME_ORIGIN
    )
    assert wrong.status_code == 401 and "当前密码不正确" in wrong.text
    fresh = TestClient(app)
    login = {"name": "越秀区民政局", "password": "越秀区审批2021"}
    response = fresh.post("/console/login", data=login, headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/"


def test_api_docs_are_served_offline(lcon: tuple[FastAPI, World]) -> None:
    app, _ = lcon
    client = TestClient(app)
    page = client.get("/docs")
    assert page.status_code == 200 and "/console/static/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/console/static/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/runs", "/api/intake/feeds", "/api/confirmations/self"} <= set(paths)


def test_the_elder_flow_refuses_answers_posted_past_their_screens(
    lcon: tuple[FastAPI, World],
) -> None:
    app, _ = lcon
    forged = {
        "step": "7",
        "code": "1",
        "name": "某",
        "id_number": "1",
        "bank_name": "x",
        "bank_account": "1",
        "agreement": "1",
    }
    response = TestClient(app).post("/console/elder", data=forged, headers=SAME_ORIGIN)
    assert response.status_code == 422 and "请从确认码开始核对" in response.text


def test_applications_and_fraud_cases_from_the_console(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    client = signed_in(app, world.street)
    token = form_token(client, "/console/worklist")
    unknown = {"csrf_token": token, "id_number": world.staff_confirms, "name": "别的名字"}
    refused = client.post("/console/applications", data=unknown, headers=SAME_ORIGIN)
    assert refused.status_code == 422 and "姓名与户籍不符" in refused.text
    case = {"csrf_token": token, "amount_cny": "120.50", "evidence": "邻居证实本人已于去年身故"}
    page = client.post(f"/console/persons/{world.staff_ref}/fraud", data=case, headers=SAME_ORIGIN)
    assert page.status_code == 200 and "虚报冒领" in page.text and "120.50" in page.text


def test_the_city_keeps_the_payers_accounts(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    client = signed_in(app, world.city)
    page = client.get("/console/payers").text
    assert "付款账户" in page and page.count("尚未配置") >= 12
    token = form_token(client, "/console/payers")
    fields = {"csrf_token": token, "account_name": "退役军人长寿保健金专户", "bank": "建设银行"}
    bad = client.post(
        "/console/payers/military", data=fields | {"account_number": "12ab"}, headers=SAME_ORIGIN
    )
    assert bad.status_code == 422 and "付款账号：格式不正确" in bad.text
    done = client.post(
        "/console/payers/military",
        data=fields | {"account_number": "440100000000987654"},
        headers=SAME_ORIGIN,
    )
    assert done.status_code == 200 and "**************7654" in done.text
    assert "440100000000987654" not in done.text and "建设银行" in done.text
    district = signed_in(app, world.district)
    own = district.get("/console/payers").text  # its own account only, and no form
    assert "越秀区" in own and "荔湾区" not in own and "设置账户" not in own
    token = form_token(district, "/console/runs")
    refused = district.post(
        "/console/payers/440104",
        data=fields | {"csrf_token": token, "account_number": "440100000000987654"},
        headers=SAME_ORIGIN,
    )
    assert refused.status_code == 403


def test_each_payer_sees_its_own_list_and_the_city_all(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    military = signed_in(app, world.military).get("/console/runs/2021-10").text
    own = re.search(r'<section class="card" id="own-list">(.*?)</section>', military, re.S)
    assert own is not None and "退役军人事务部门发放名单：待审批" in own[1]
    assert 'id="approve"' in own[1] and "审批军休干部发放名单" in own[1]
    city = signed_in(app, world.city).get("/console/runs/2021-10").text
    assert 'id="own-list"' not in city
    rows = re.findall(
        r"<tr[^>]*><td>([^<]+)</td>", city.split('id="payers"')[1].split("</table>")[0]
    )
    assert len(rows) == 12 and rows[-1] == "退役军人事务部门"
    finished = signed_in(app, world.city).get("/console/runs").text
    assert "12 / 12" in finished and "全部审批完成" in finished
