"""R1 (第四条): every application condition, each threshold on and just past it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from gzvpp.core.eligibility import (
    AggregatorApplication,
    Condition,
    EligibilityCheck,
    Member,
    UserApplication,
    UserCategory,
    check_aggregator,
    check_user,
    is_eligible,
)

D = Decimal

USER = UserApplication(
    account_id="0300123456",
    general_taxpayer=True,
    policy_compliant=True,
    category=UserCategory.LARGE_INDUSTRY,
    capability_kw=D(600),
    max_load_kw=D(4000),
    response_minutes=60,
)

AGGREGATOR = AggregatorApplication(
    general_taxpayer=True,
    registered_in_guangzhou=True,
    registered_capital_cny=D(8_000_000),
    members=(Member("A1", D(1200)), Member("A2", D(800)), Member("A3", D(50))),
    member_list_on_file=True,
    delegation_agreement_on_file=True,
)


def by_code(checks: list[EligibilityCheck]) -> dict[Condition, EligibilityCheck]:
    return {c.code: c for c in checks}


def failed(checks: list[EligibilityCheck]) -> set[Condition]:
    return {c.code for c in checks if not c.passed}


def test_good_user_passes_every_condition_in_order() -> None:
    checks = check_user(USER)
    assert [c.code for c in checks] == [
        Condition.ACCOUNT,
        Condition.GENERAL_TAXPAYER,
        Condition.POLICY,
        Condition.CAPABILITY,
        Condition.PEAK_SHARE,
        Condition.DURATION,
        Condition.REALTIME_MONITORING,
    ]
    assert is_eligible(checks)
    assert all(" / " in c.message for c in checks)  # Chinese / English


@pytest.mark.parametrize(
    ("category", "kw", "ok"),
    [
        (UserCategory.LARGE_INDUSTRY, "500", True),
        (UserCategory.LARGE_INDUSTRY, "499.99", False),
        (UserCategory.GENERAL_COMMERCIAL, "200", True),
        (UserCategory.GENERAL_COMMERCIAL, "199.99", False),
        # 大工业's floor is not lowered to 一般工商业's.
        (UserCategory.LARGE_INDUSTRY, "200", False),
    ],
)
def test_capability_floor_by_category(category: UserCategory, kw: str, ok: bool) -> None:
    checks = check_user(replace(USER, category=category, capability_kw=D(kw)))
    check = by_code(checks)[Condition.CAPABILITY]
    assert check.passed is ok
    assert kw in check.message
    assert failed(checks) == (set() if ok else {Condition.CAPABILITY})


def test_capability_message_names_category_and_floor() -> None:
    check = by_code(check_user(replace(USER, capability_kw=D("499.99"))))[Condition.CAPABILITY]
    assert "大工业" in check.message
    assert "低于 500 kW" in check.message
    assert "below the 500 kW minimum" in check.message


@pytest.mark.parametrize(
    ("capability", "max_load", "ok"),
    [
        ("600", "3000", True),  # 600 = 20 % of 3000 exactly
        ("600.01", "3000", False),
        ("600", "2999.99", False),
        ("600", "4000", True),
    ],
)
def test_peak_share_at_most_20_percent_of_max_load(
    capability: str, max_load: str, ok: bool
) -> None:
    app = replace(USER, capability_kw=D(capability), max_load_kw=D(max_load))
    assert by_code(check_user(app))[Condition.PEAK_SHARE].passed is ok


@pytest.mark.parametrize(("minutes", "ok"), [(30, True), (29, False), (240, True)])
def test_response_duration_at_least_30_minutes(minutes: int, ok: bool) -> None:
    check = by_code(check_user(replace(USER, response_minutes=minutes)))[Condition.DURATION]
    assert check.passed is ok


def test_flags_taxpayer_and_policy() -> None:
    app = replace(USER, general_taxpayer=False, policy_compliant=False)
    assert failed(check_user(app)) == {Condition.GENERAL_TAXPAYER, Condition.POLICY}


@pytest.mark.parametrize(
    ("realtime", "monitoring", "ok"),
    [(False, False, True), (True, True, True), (True, False, False), (False, True, True)],
)
def test_realtime_requires_minute_monitoring(realtime: bool, monitoring: bool, ok: bool) -> None:
    for checks in (
        check_user(replace(USER, realtime=realtime, minute_monitoring=monitoring)),
        check_aggregator(replace(AGGREGATOR, realtime=realtime, minute_monitoring=monitoring)),
    ):
        assert by_code(checks)[Condition.REALTIME_MONITORING].passed is ok


@pytest.mark.parametrize("account", ["", "   "])
def test_user_needs_an_account(account: str) -> None:
    check = by_code(check_user(replace(USER, account_id=account)))[Condition.ACCOUNT]
    assert not check.passed
    assert "营销户号" in check.message


def test_user_account_already_taken() -> None:
    checks = check_user(USER, taken_accounts={"0300123456", "other"})
    assert failed(checks) == {Condition.ACCOUNT}
    assert "0300123456" in by_code(checks)[Condition.ACCOUNT].message
    assert is_eligible(check_user(USER, taken_accounts={"other"}))


def test_good_aggregator_passes_every_condition_in_order() -> None:
    checks = check_aggregator(AGGREGATOR)
    assert [c.code for c in checks] == [
        Condition.GENERAL_TAXPAYER,
        Condition.REGISTERED_IN_GUANGZHOU,
        Condition.REGISTERED_CAPITAL,
        Condition.CAPABILITY,
        Condition.MEMBER_POLICY,
        Condition.MEMBER_LIST,
        Condition.DELEGATION_AGREEMENT,
        Condition.MEMBER_ACCOUNTS,
        Condition.REALTIME_MONITORING,
    ]
    assert is_eligible(checks)


def test_aggregator_capability_is_sum_of_members() -> None:
    # 1200 + 800 + 50 = 2050; the 50 kW member needs no minimum of its own.
    assert AGGREGATOR.capability_kw == D(2050)
    check = by_code(check_aggregator(AGGREGATOR))[Condition.CAPABILITY]
    assert check.passed
    assert "2,050 kW" in check.message


@pytest.mark.parametrize(
    ("members", "ok"),
    [
        ((Member("A1", D(1200)), Member("A2", D(800))), True),  # exactly 2000
        ((Member("A1", D(1200)), Member("A2", D("799.99"))), False),
        ((), False),
    ],
)
def test_aggregator_capability_at_least_2000_kw(members: tuple[Member, ...], ok: bool) -> None:
    checks = check_aggregator(replace(AGGREGATOR, members=members))
    assert by_code(checks)[Condition.CAPABILITY].passed is ok


@pytest.mark.parametrize(("capital", "ok"), [("5000000", True), ("4999999.99", False)])
def test_aggregator_registered_capital(capital: str, ok: bool) -> None:
    checks = check_aggregator(replace(AGGREGATOR, registered_capital_cny=D(capital)))
    check = by_code(checks)[Condition.REGISTERED_CAPITAL]
    assert check.passed is ok
    assert failed(checks) == (set() if ok else {Condition.REGISTERED_CAPITAL})


def test_aggregator_capital_message_is_readable() -> None:
    check = by_code(check_aggregator(replace(AGGREGATOR, registered_capital_cny=D(4_000_000))))
    assert "4,000,000" in check[Condition.REGISTERED_CAPITAL].message


def test_aggregator_flags() -> None:
    app = replace(
        AGGREGATOR,
        general_taxpayer=False,
        registered_in_guangzhou=False,
        member_list_on_file=False,
        delegation_agreement_on_file=False,
    )
    assert failed(check_aggregator(app)) == {
        Condition.GENERAL_TAXPAYER,
        Condition.REGISTERED_IN_GUANGZHOU,
        Condition.MEMBER_LIST,
        Condition.DELEGATION_AGREEMENT,
    }


def test_aggregator_member_policy_names_the_member() -> None:
    members = (*AGGREGATOR.members, Member("A4", D(10), policy_compliant=False))
    check = by_code(check_aggregator(replace(AGGREGATOR, members=members)))
    assert not check[Condition.MEMBER_POLICY].passed
    assert "A4" in check[Condition.MEMBER_POLICY].message


@pytest.mark.parametrize(
    ("members", "taken", "needle"),
    [
        ((Member("A1", D(2000)), Member("A1", D(10))), set(), "A1"),  # listed twice
        ((Member("A1", D(2000)), Member("", D(10))), set(), "营销户号"),
        ((Member("A1", D(2000)), Member("A2", D(10))), {"A2"}, "A2"),  # another participant's
        ((), set(), "代理用户"),
    ],
)
def test_aggregator_member_accounts(
    members: tuple[Member, ...], taken: set[str], needle: str
) -> None:
    check = by_code(check_aggregator(replace(AGGREGATOR, members=members), taken))
    assert not check[Condition.MEMBER_ACCOUNTS].passed
    assert needle in check[Condition.MEMBER_ACCOUNTS].message
