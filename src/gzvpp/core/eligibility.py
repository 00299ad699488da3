"""Who may join the virtual power plant: the application conditions of 第四条 (R1).

Each check returns every condition with its outcome, so the console can show the applicant the
whole list rather than the first failure. Messages are Chinese, then English after `` / ``.
Following 第十五条, 不低于 includes the number (≥) and 不得超过 is read as ≤. kW and money are
:class:`~decimal.Decimal`, so a threshold is met or missed exactly as written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

_KW = ("kW", "kW")

#: 第四条 (一) 3: peak-shaving capability at most 20 % of the user's maximum load.
MAX_PEAK_SHARE = Decimal("0.2")
#: 第四条 (一) 3: response duration not below 30 minutes.
MIN_RESPONSE_MINUTES = 30
#: 第四条 (二) 1: registered capital not below 5,000,000 CNY (500 万元).
AGGREGATOR_MIN_CAPITAL_CNY = Decimal(5_000_000)
#: 第四条 (二) 2: aggregated capability not below 2000 kW.
AGGREGATOR_MIN_CAPABILITY_KW = Decimal(2000)


class UserCategory(StrEnum):
    """The power user's tariff category, which sets its capability floor (第四条 (一) 4)."""

    LARGE_INDUSTRY = "large_industry"  # 大工业
    GENERAL_COMMERCIAL = "general_commercial"  # 一般工商业

    @property
    def label(self) -> str:
        """The Chinese name used in messages."""
        return "大工业" if self is UserCategory.LARGE_INDUSTRY else "一般工商业"


#: 第四条 (一) 4: response capability of 大工业 ≥ 500 kW, of 一般工商业 ≥ 200 kW.
USER_MIN_CAPABILITY_KW: Mapping[UserCategory, Decimal] = MappingProxyType(
    {UserCategory.LARGE_INDUSTRY: Decimal(500), UserCategory.GENERAL_COMMERCIAL: Decimal(200)}
)


class Condition(StrEnum):
    """The code of one application condition (R1); the console keys its list on it."""

    ACCOUNT = "account"
    GENERAL_TAXPAYER = "general_taxpayer"
    POLICY = "policy"
    CAPABILITY = "capability"
    PEAK_SHARE = "peak_share"
    DURATION = "duration"
    REALTIME_MONITORING = "realtime_monitoring"
    REGISTERED_IN_GUANGZHOU = "registered_in_guangzhou"
    REGISTERED_CAPITAL = "registered_capital"
    MEMBER_POLICY = "member_policy"
    MEMBER_LIST = "member_list"
    DELEGATION_AGREEMENT = "delegation_agreement"
    MEMBER_ACCOUNTS = "member_accounts"


@dataclass(frozen=True)
class EligibilityCheck:
    """The outcome of one condition.

    Attributes
    ----------
    code : Condition
    passed : bool
    message : str
        Chinese, then English after `` / ``, citing the article.
    """

    code: Condition
    passed: bool
    message: str


@dataclass(frozen=True)
class UserApplication:
    """A power user's (电力用户) application (第四条 (一)).

    Attributes
    ----------
    account_id : str
        Its own 营销户号; blank when the applicant has none.
    general_taxpayer : bool
        Holds 一般纳税人 status.
    policy_compliant : bool
        Complies with national industrial and environmental policy.
    category : UserCategory
    capability_kw : Decimal
        Declared response capability in kW, which is also its peak-shaving capability (削峰能力).
    max_load_kw : Decimal
        Maximum load in kW: the highest 15-minute load of the last 12 months [reading].
    response_minutes : int
        How long it can hold the response, in minutes.
    realtime : bool
        Applies for real-time response (实时响应).
    minute_monitoring : bool
        Has minute-level load monitoring feeding the platform.
    """

    account_id: str
    general_taxpayer: bool
    policy_compliant: bool
    category: UserCategory
    capability_kw: Decimal
    max_load_kw: Decimal
    response_minutes: int
    realtime: bool = False
    minute_monitoring: bool = False


@dataclass(frozen=True)
class Member:
    """A user an aggregator represents (代理用户). It needs no kW minimum of its own [reading].

    Attributes
    ----------
    account_id : str
        The member's 营销户号.
    capability_kw : Decimal
        Its response capability in kW.
    policy_compliant : bool
        Complies with national industrial and environmental policy (第四条 (二) 2).
    """

    account_id: str
    capability_kw: Decimal
    policy_compliant: bool = True


@dataclass(frozen=True)
class AggregatorApplication:
    """A load aggregator's (负荷聚合商) application (第四条 (二)).

    Attributes
    ----------
    general_taxpayer : bool
    registered_in_guangzhou : bool
        Registered address inside Guangzhou.
    registered_capital_cny : Decimal
        Registered capital in CNY (not 万元).
    members : tuple of Member
    member_list_on_file : bool
        The 代理用户明细表 has been provided.
    delegation_agreement_on_file : bool
        The scanned 委托协议 has been provided.
    realtime : bool
        Applies for real-time response.
    minute_monitoring : bool
        Has minute-level load monitoring feeding the platform.
    """

    general_taxpayer: bool
    registered_in_guangzhou: bool
    registered_capital_cny: Decimal
    members: tuple[Member, ...]
    member_list_on_file: bool
    delegation_agreement_on_file: bool
    realtime: bool = False
    minute_monitoring: bool = False

    @property
    def capability_kw(self) -> Decimal:
        """Aggregated capability: the sum of the members' capabilities in kW (第四条 (二) 2)."""
        return sum((m.capability_kw for m in self.members), Decimal(0))


def _flag(code: Condition, passed: bool, yes: str, no: str) -> EligibilityCheck:
    return EligibilityCheck(code, passed, yes if passed else no)


def _at_least(
    code: Condition,
    value: Decimal | int,
    floor: Decimal | int,
    subject: tuple[str, str],
    unit: tuple[str, str],
    article: str,
) -> EligibilityCheck:
    """A 不低于 threshold (≥, 第十五条); ``subject`` and ``unit`` are (Chinese, English)."""
    passed = value >= floor
    zh, en = ("不低于", "meets") if passed else ("低于", "is below")
    return EligibilityCheck(
        code,
        passed,
        f"{subject[0]} {value:,} {unit[0]} {zh} {floor:,} {unit[0]}（{article}） / "
        f"{subject[1]} {value:,} {unit[1]} {en} the {floor:,} {unit[1]} minimum",
    )


def _general_taxpayer(holds: bool, article: str) -> EligibilityCheck:
    return _flag(
        Condition.GENERAL_TAXPAYER,
        holds,
        f"具备一般纳税人资格（{article}） / Is a general VAT taxpayer",
        f"不具备一般纳税人资格（{article}） / Is not a general VAT taxpayer",
    )


def _realtime_monitoring(realtime: bool, monitoring: bool, article: str) -> EligibilityCheck:
    if not realtime:
        return EligibilityCheck(
            Condition.REALTIME_MONITORING,
            True,
            f"未申请实时响应，无需分钟级监控（{article}） / "
            "Not applying for real-time response; minute-level monitoring not required",
        )
    return _flag(
        Condition.REALTIME_MONITORING,
        monitoring,
        f"具备分钟级负荷监控并接入平台（{article}） / "
        "Has minute-level load monitoring feeding the platform",
        f"申请实时响应须具备分钟级负荷监控并接入平台（{article}） / "
        "Real-time response requires minute-level load monitoring feeding the platform",
    )


def _accounts(code: Condition, accounts: list[str], taken: Set[str]) -> EligibilityCheck:
    """One account per participant (R1 [reading]): present, not repeated, not taken elsewhere."""
    if not accounts:
        return EligibilityCheck(code, False, "未列出代理用户（第四条（二）2） / No members listed")
    if any(not a.strip() for a in accounts):
        return EligibilityCheck(
            code,
            False,
            "缺少营销户号（第四条） / An electricity account id (营销户号) is missing",
        )
    repeated = sorted(a for a, n in Counter(accounts).items() if n > 1)
    if repeated:
        return EligibilityCheck(
            code,
            False,
            f"户号重复：{'、'.join(repeated)} / Account listed more than once: "
            f"{', '.join(repeated)}",
        )
    clash = sorted(set(accounts) & taken)
    if clash:
        return EligibilityCheck(
            code,
            False,
            f"户号已属于其他参与主体：{'、'.join(clash)}（一个户号只能属于一个主体） / "
            f"Account already belongs to another participant: {', '.join(clash)}",
        )
    return EligibilityCheck(
        code,
        True,
        f"户号有效且未被占用：{'、'.join(accounts)} / Account present and not taken: "
        f"{', '.join(accounts)}",
    )


def check_user(
    application: UserApplication, taken_accounts: Set[str] = frozenset()
) -> list[EligibilityCheck]:
    """Check a power user's application against every condition of 第四条 (一) (R1).

    Parameters
    ----------
    application : UserApplication
    taken_accounts : set of str
        Accounts already held by another active or pending participant; leave the applicant's
        own enrolment out when re-checking it.

    Returns
    -------
    list of EligibilityCheck
        One per condition, in the order: account, general taxpayer, policy, capability,
        peak share, duration, real-time monitoring. The user is eligible when all pass.
    """
    app = application
    peak_cap = app.max_load_kw * MAX_PEAK_SHARE
    share = f"{MAX_PEAK_SHARE:.0%}"
    return [
        _accounts(Condition.ACCOUNT, [app.account_id], taken_accounts),
        _general_taxpayer(app.general_taxpayer, "第四条（一）1"),
        _flag(
            Condition.POLICY,
            app.policy_compliant,
            "符合国家相关产业、环保政策（第四条（一）2） / Complies with industrial and "
            "environmental policy",
            "不符合国家相关产业、环保政策（第四条（一）2） / Does not comply with industrial and "
            "environmental policy",
        ),
        _at_least(
            Condition.CAPABILITY,
            app.capability_kw,
            USER_MIN_CAPABILITY_KW[app.category],
            (f"{app.category.label}用户响应能力", "Capability"),
            _KW,
            "第四条（一）4",
        ),
        _flag(
            Condition.PEAK_SHARE,
            app.capability_kw <= peak_cap,
            f"削峰能力 {app.capability_kw} kW 未超过最高负荷 {app.max_load_kw} kW 的 {share}"
            f"（{peak_cap} kW）（第四条（一）3） / Peak-shaving capability {app.capability_kw} kW "
            f"is within {share} of the {app.max_load_kw} kW maximum load",
            f"削峰能力 {app.capability_kw} kW 超过最高负荷 {app.max_load_kw} kW 的 {share}"
            f"（{peak_cap} kW）（第四条（一）3） / Peak-shaving capability {app.capability_kw} kW "
            f"exceeds {share} of the {app.max_load_kw} kW maximum load",
        ),
        _at_least(
            Condition.DURATION,
            app.response_minutes,
            MIN_RESPONSE_MINUTES,
            ("响应持续时间", "Response duration"),
            ("分钟", "min"),
            "第四条（一）3",
        ),
        _realtime_monitoring(app.realtime, app.minute_monitoring, "第四条（一）5"),
    ]


def check_aggregator(
    application: AggregatorApplication, taken_accounts: Set[str] = frozenset()
) -> list[EligibilityCheck]:
    """Check a load aggregator's application against every condition of 第四条 (二) (R1).

    Parameters
    ----------
    application : AggregatorApplication
    taken_accounts : set of str
        Accounts already held by another active or pending participant (a user or another
        aggregator); leave the applicant's own enrolment out when re-checking it.

    Returns
    -------
    list of EligibilityCheck
        One per condition, in the order: general taxpayer, registered in Guangzhou, registered
        capital, capability, member policy, member list, delegation agreement, member accounts,
        real-time monitoring. The aggregator is eligible when all pass.
    """
    app = application
    non_compliant = [m.account_id for m in app.members if not m.policy_compliant]
    return [
        _general_taxpayer(app.general_taxpayer, "第四条（二）1"),
        _flag(
            Condition.REGISTERED_IN_GUANGZHOU,
            app.registered_in_guangzhou,
            "注册地址在广州市内（第四条（二）1） / Registered in Guangzhou",
            "注册地址不在广州市内（第四条（二）1） / Not registered in Guangzhou",
        ),
        _at_least(
            Condition.REGISTERED_CAPITAL,
            app.registered_capital_cny,
            AGGREGATOR_MIN_CAPITAL_CNY,
            ("注册资金", "Registered capital"),
            ("元", "CNY"),
            "第四条（二）1",
        ),
        _at_least(
            Condition.CAPABILITY,
            app.capability_kw,
            AGGREGATOR_MIN_CAPABILITY_KW,
            (f"{len(app.members)} 个代理用户响应能力之和", "Members' total capability"),
            _KW,
            "第四条（二）2",
        ),
        _flag(
            Condition.MEMBER_POLICY,
            not non_compliant,
            "代理用户均符合国家相关产业、环保政策（第四条（二）2） / All members comply with "
            "industrial and environmental policy",
            f"代理用户不符合国家相关产业、环保政策：{'、'.join(non_compliant)}（第四条（二）2） / "
            f"Members not complying with policy: {', '.join(non_compliant)}",
        ),
        _flag(
            Condition.MEMBER_LIST,
            app.member_list_on_file,
            "已提供代理用户明细表（第四条（二）3） / Member list on file",
            "未提供代理用户明细表（第四条（二）3） / Member list missing",
        ),
        _flag(
            Condition.DELEGATION_AGREEMENT,
            app.delegation_agreement_on_file,
            "已提供委托协议扫描件（第四条（二）3） / Delegation agreement on file",
            "未提供委托协议扫描件（第四条（二）3） / Delegation agreement missing",
        ),
        _accounts(Condition.MEMBER_ACCOUNTS, [m.account_id for m in app.members], taken_accounts),
        _realtime_monitoring(app.realtime, app.minute_monitoring, "第四条（二）4"),
    ]


def is_eligible(checks: Iterable[EligibilityCheck]) -> bool:
    """True when every condition passed."""
    return all(c.passed for c in checks)
