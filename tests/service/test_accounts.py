"""Accounts (issue 9 §5): token expiry, revocation, disabled users, rotation, a rejected
participant's users losing write access, the operator's /api/users and the audit trail; on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from service_api import Api
from sqlalchemy import select, text

from gzkit.auth import hash_token
from gzkit.clock import SystemClock
from gzvpp.kit.auth import create_user
from gzvpp.kit.db import MIGRATIONS, make_engine, upgrade
from gzvpp.kit.policy import CLOSED_READ_ENV, TOKEN_TTL_ENV
from gzvpp.models import ApiToken, AuditLog, Role

MORNING = dt.datetime(2025, 6, 2, 9, 0)


@pytest.fixture(autouse=True)
def _morning(api: Api) -> None:
    api.clock.set(MORNING)


def new_user(
    api: Api,
    role: Role = Role.REGULATOR,
    participant_id: str | None = None,
    name: str = "账户测试",
    expires_at: dt.datetime | None = None,
) -> tuple[int, str]:
    """A user with one token issued now (of the default lifetime unless ``expires_at``): its
    id and the token."""
    with api.session() as session:
        user, token = create_user(
            session,
            name=name,
            role=role,
            participant_id=participant_id,
            at=api.clock.now(),
            expires_at=expires_at,
        )
    return user.id, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(api: Api, token: str, path: str = "/api/participants") -> Any:
    return api.client.get(path, headers=bearer(token))


def user_view(api: Api, user_id: int) -> dict[str, Any]:
    response = api.client.get(f"/api/users/{user_id}", headers=api.grid)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def audit(api: Api, action: str, entity_id: str) -> list[AuditLog]:
    with api.session() as session:
        return list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.action == action, AuditLog.entity_id == entity_id)
                .order_by(AuditLog.id)
            )
        )


def test_a_token_expires_after_the_default_90_days(api: Api) -> None:
    user_id, token = new_user(api)
    (shown,) = user_view(api, user_id)["tokens"]
    assert shown["expires_at"] == (MORNING + dt.timedelta(days=90)).isoformat()
    api.clock.set(MORNING + dt.timedelta(days=90, seconds=-1))
    assert get(api, token).status_code == 200
    api.clock.set(MORNING + dt.timedelta(days=90))
    expired = get(api, token)
    assert expired.status_code == 401 and expired.headers["WWW-Authenticate"] == "Bearer"
    detail = expired.json()["detail"]
    assert (
        "令牌已于 2025-08-31 09:00 过期" in detail and "token expired at 2025-08-31T09:00" in detail
    )
    assert user_view(api, user_id)["tokens"][0]["status"] == "expired"


def test_the_lifetime_is_a_setting_and_an_option(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_TTL_ENV, "7")
    user_id, token = new_user(api)
    assert user_view(api, user_id)["tokens"][0]["expires_at"] == "2025-06-09T09:00:00"
    issued = api.client.post(
        f"/api/users/{user_id}/tokens", json={"ttl_days": 30}, headers=api.grid
    )
    assert issued.status_code == 201 and issued.json()["expires_at"] == "2025-07-02T09:00:00"
    api.clock.set(dt.datetime(2025, 6, 10))
    assert get(api, token).status_code == 401
    assert get(api, issued.json()["token"]).status_code == 200
    for bad in (0, 3651, "x"):
        refused = api.client.post(
            f"/api/users/{user_id}/tokens", json={"ttl_days": bad}, headers=api.grid
        )
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "ttl_days"
    monkeypatch.setenv(TOKEN_TTL_ENV, "0")
    with pytest.raises(ValueError, match=TOKEN_TTL_ENV):
        new_user(api)


def test_revoking_one_token_leaves_the_others(api: Api) -> None:
    user_id, first = new_user(api)
    second = api.client.post(f"/api/users/{user_id}/tokens", headers=api.grid).json()
    first_id = user_view(api, user_id)["tokens"][1]["id"]
    revoked = api.client.post(f"/api/users/{user_id}/tokens/{first_id}/revoke", headers=api.grid)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    refused = get(api, first)
    assert refused.status_code == 401
    assert "令牌已于 2025-06-02 09:00 吊销" in refused.json()["detail"]
    assert get(api, second["token"]).status_code == 200
    again = api.client.post(f"/api/users/{user_id}/tokens/{first_id}/revoke", headers=api.grid)
    assert again.status_code == 409
    other_id, _ = new_user(api)
    wrong_user = api.client.post(
        f"/api/users/{other_id}/tokens/{second['id']}/revoke", headers=api.grid
    )
    assert wrong_user.status_code == 404
    (record,) = audit(api, "api_token.revoke", str(first_id))
    assert record.before is not None and record.after is not None
    assert record.before["revoked_at"] is None and record.after["revoked_at"] == MORNING.isoformat()
    assert record.actor.startswith("grid_operator#")


def test_disabling_a_user_stops_all_its_tokens_at_once(api: Api) -> None:
    user_id, first = new_user(api)
    second = api.client.post(f"/api/users/{user_id}/tokens", headers=api.grid).json()["token"]
    disabled = api.client.post(f"/api/users/{user_id}/disable", headers=api.grid)
    assert disabled.status_code == 200
    assert disabled.json()["access"] == "none" and disabled.json()["active_tokens"] == 2
    for token in (first, second):
        refused = get(api, token)
        assert refused.status_code == 401 and "账户已于 2025-06-02 09:00 停用" in refused.text
    assert api.client.post(f"/api/users/{user_id}/disable", headers=api.grid).status_code == 409
    api.clock.advance(dt.timedelta(hours=1))
    enabled = api.client.post(f"/api/users/{user_id}/enable", headers=api.grid)
    assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
    assert get(api, first).status_code == 200 and get(api, second).status_code == 200
    assert api.client.post(f"/api/users/{user_id}/enable", headers=api.grid).status_code == 409
    (off,) = audit(api, "platform_user.disable", str(user_id))
    (on,) = audit(api, "platform_user.enable", str(user_id))
    assert off.before is not None and off.after is not None and on.after is not None
    assert off.before["disabled_at"] is None and off.after["disabled_at"] == MORNING.isoformat()
    assert on.after["disabled_at"] is None


def test_the_operator_cannot_disable_itself(api: Api) -> None:
    me, token = new_user(api, Role.GRID_OPERATOR, name="调度员")
    refused = api.client.post(f"/api/users/{me}/disable", headers=bearer(token))
    assert refused.status_code == 409 and "自己" in refused.text
    assert get(api, token).status_code == 200


def test_rotation_issues_one_and_revokes_the_rest(api: Api) -> None:
    user_id, old = new_user(api)
    older = api.client.post(f"/api/users/{user_id}/tokens", headers=api.grid).json()["token"]
    rotated = api.client.post(f"/api/users/{user_id}/tokens:rotate", headers=api.grid)
    assert rotated.status_code == 201
    new = rotated.json()
    assert new["token"].startswith(new["prefix"]) and len(new["prefix"]) == 12
    assert get(api, new["token"]).status_code == 200
    assert get(api, old).status_code == 401 and get(api, older).status_code == 401
    view = user_view(api, user_id)
    assert [t["status"] for t in view["tokens"]] == ["active", "revoked", "revoked"]
    assert view["active_tokens"] == 1
    for token in view["tokens"][1:]:
        (record,) = audit(api, "api_token.revoke", str(token["id"]))
        assert record.after is not None and record.after["reason"] == "rotate"
    (issue,) = audit(api, "api_token.issue", str(new["id"]))
    assert issue.after is not None and issue.after["prefix"] == new["prefix"]


def test_listing_never_shows_a_secret(api: Api) -> None:
    user_id, token = new_user(api, name="保密测试")
    listing = api.client.get("/api/users", params={"q": "保密测试"}, headers=api.grid)
    assert listing.status_code == 200
    (user,) = listing.json()["items"]
    assert user["id"] == user_id and user["tokens"][0]["prefix"] == token[:12]
    assert token not in listing.text and hash_token(token) not in listing.text
    with api.session() as session:
        records = session.scalars(select(AuditLog).where(AuditLog.entity == "api_token")).all()
    assert records and all("token_sha256" not in (r.after or {}) for r in records)


@pytest.mark.parametrize("role", [Role.REGULATOR, Role.POWER_USER])
def test_only_the_grid_operator_manages_accounts(api: Api, role: Role) -> None:
    pid = api.enrol(api.user())["id"] if role is Role.POWER_USER else None
    _, token = new_user(api, role, pid)
    target, _ = new_user(api)
    for method, path in (
        ("GET", "/api/users"),
        ("GET", f"/api/users/{target}"),
        ("POST", f"/api/users/{target}/disable"),
        ("POST", f"/api/users/{target}/tokens"),
        ("POST", f"/api/users/{target}/tokens:rotate"),
    ):
        assert api.client.request(method, path, headers=bearer(token)).status_code == 403
    assert api.client.get("/api/users").status_code == 401
    for missing in (
        "/api/users/999999",
        f"/api/users/{10**20}",
        f"/api/users/1/tokens/{10**20}/revoke",
    ):
        method = "POST" if missing.endswith("revoke") else "GET"
        assert api.client.request(method, missing, headers=api.grid).status_code == 404


def test_a_rejected_participants_users_may_only_read_for_a_while(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = api.enrol(api.user())["id"]
    # A token outliving the reading period, which is checked on its own.
    user_id, token = new_user(api, Role.POWER_USER, pid, expires_at=dt.datetime(2027, 1, 1))
    # A write a power user may make (acknowledging a notification; this one does not exist).
    write = "/api/notifications/999999/read"
    assert api.client.post(write, headers=bearer(token)).status_code == 404
    api.clock.set(dt.datetime(2025, 6, 3, 10, 0))
    rejected = api.client.post(
        f"/api/participants/{pid}/reject", json={"reason": "资料不全"}, headers=api.grid
    )
    assert rejected.status_code == 200
    refused = api.client.post(write, headers=bearer(token))
    assert refused.status_code == 403
    assert f"参与者 {pid} 已于 2025-06-03 10:00 被驳回，账户只读" in refused.json()["detail"]
    assert "may only read, until 2025-11-30T10:00:00" in refused.json()["detail"]
    assert get(api, token, f"/api/participants/{pid}").status_code == 200
    assert user_view(api, user_id)["access"] == "read_only"
    api.clock.set(dt.datetime(2025, 11, 30, 10, 0))  # 180 days after the rejection
    ended = get(api, token, f"/api/participants/{pid}")
    assert ended.status_code == 403 and "查阅期限已于 2025-11-30 10:00 结束" in ended.text
    late_write = api.client.post(write, headers=bearer(token))
    assert late_write.status_code == 403 and "查阅期限已于 2025-11-30 10:00 结束" in late_write.text
    assert user_view(api, user_id)["access"] == "none"
    monkeypatch.setenv(CLOSED_READ_ENV, "365")
    assert get(api, token, f"/api/participants/{pid}").status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(api: Api) -> None:
    user_id, token = new_user(api)

    def last_used() -> str | None:
        value: str | None = user_view(api, user_id)["tokens"][0]["last_used_at"]
        return value

    assert last_used() is None
    get(api, token)
    assert last_used() == MORNING.isoformat()
    api.clock.advance(dt.timedelta(seconds=59))
    get(api, token)
    assert last_used() == MORNING.isoformat()
    api.clock.advance(dt.timedelta(seconds=1))
    get(api, token)
    assert last_used() == (MORNING + dt.timedelta(minutes=1)).isoformat()


def test_tokens_from_before_the_upgrade_are_listed_without_a_prefix(api: Api) -> None:
    user_id, token = new_user(api)
    with api.session() as session:
        stored = session.scalars(
            select(ApiToken).where(ApiToken.token_sha256 == hash_token(token))
        ).one()
        stored.prefix = None
    assert user_view(api, user_id)["tokens"][0]["prefix"] is None
    assert get(api, token).status_code == 200


def test_the_upgrade_gives_existing_tokens_the_lifetime_from_now(tmp_path: Path) -> None:
    """Tokens issued before 0005 expire the token lifetime after the upgrade, not at once."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    command.upgrade(config, "0004")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO platform_users (id, name, role, created_at) "
                "VALUES (1, '旧用户', 'regulator', '2024-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO api_tokens (token_sha256, user_id, created_at) "
                "VALUES (:sha, 1, '2024-01-01 00:00:00')"
            ),
            {"sha": hash_token("gzvpp_old")},
        )
    before = SystemClock().now()
    upgrade(url)
    with engine.connect() as connection:
        prefix, expires_at = connection.execute(select(ApiToken.prefix, ApiToken.expires_at)).one()
    engine.dispose()
    assert prefix is None
    assert (
        before + dt.timedelta(days=90) <= expires_at <= SystemClock().now() + dt.timedelta(days=90)
    )
