"""The demo's city: who enrols, what they declare, and how they behave when called.

Built from :mod:`gzvpp.demo.synthetic`: about 300 power users (大工业 and 一般工商业) enrol on
their own and 20 load aggregators enrol the rest of the accounts as members. A few applications
fail an R1 condition on purpose, so the review shows a rejection.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np

from gzvpp.core.eligibility import UserCategory
from gzvpp.demo.synthetic import CATEGORY_OF_PROFILE, PROFILES, SyntheticAccounts

DISTRICTS = ("天河", "越秀", "海珠", "荔湾", "白云", "黄埔", "番禺", "花都", "南沙", "从化", "增城")
TRADES = (
    "电子科技",
    "汽车零部件",
    "精细化工",
    "食品饮料",
    "纺织服装",
    "医药制造",
    "商业广场",
    "物流仓储",
    "数据中心",
    "酒店管理",
    "写字楼物业",
    "金属制品",
)
AGGREGATOR_NAMES = (
    "粤能聚合",
    "穗电智慧能源",
    "南网综合能源",
    "珠江虚拟电厂",
    "羊城能效",
    "广电节能服务",
    "越秀能源管理",
    "天河智慧用能",
    "白云云能",
    "黄埔绿能",
    "番禺储能",
    "花都电力服务",
    "南沙新能源",
    "增城能源科技",
    "从化电能",
    "海珠综合能源",
    "荔湾能效管家",
    "广聚能源",
    "穗港能源服务",
    "湾区需求响应",
)
CATEGORY_CODE = {
    "大工业": UserCategory.LARGE_INDUSTRY,
    "一般工商业": UserCategory.GENERAL_COMMERCIAL,
}


class Behaviour(StrEnum):
    """How a participant answers a call: share of the award it delivers."""

    GOOD = "good"  # 90–115 %
    PARTIAL = "partial"  # 55–85 %
    NON_EXECUTOR = "non_executor"  # 0–40 %: reaches 3 non-executions in a month


DELIVERY = {
    Behaviour.GOOD: (0.92, 1.12),
    Behaviour.PARTIAL: (0.55, 0.85),
    Behaviour.NON_EXECUTOR: (0.0, 0.4),
}


@dataclass(frozen=True)
class Applicant:
    """One application (R1) with the accounts it brings and how it will behave."""

    key: str
    kind: str  # user | aggregator
    name: str
    rows: tuple[int, ...]  # account rows in the synthetic city
    capability_kw: Decimal
    realtime: bool
    behaviour: Behaviour
    payload: dict[str, Any]


def _capability(base_kw: float, share: float) -> Decimal:
    return Decimal(f"{base_kw * share:.1f}")


def applicants(
    accounts: SyntheticAccounts, max_load_kw: np.ndarray, n_users: int, rng: np.random.Generator
) -> list[Applicant]:
    """Applications for the first ``n_users`` accounts as users and the rest as 20 aggregators.

    Parameters
    ----------
    accounts : SyntheticAccounts
    max_load_kw : ndarray
        Each account's highest 15-minute load of the last 12 months (R1's 最高用电负荷).
    n_users : int
    rng : Generator
    """
    behaviour = rng.choice(
        list(Behaviour), size=len(accounts.account_ids) + 20, p=[0.72, 0.2, 0.08]
    )
    out = []
    for row in range(n_users):
        profile = PROFILES[accounts.profile[row]]
        category = CATEGORY_OF_PROFILE[profile]
        share = float(rng.uniform(0.10, 0.18))
        if row % 37 == 5:  # a few declare more than 20 % of their maximum load and are refused
            share = 0.30
        capability = _capability(float(accounts.base_kw[row]), share)
        floor = 500 if category == "大工业" else 200
        capability = max(capability, Decimal(floor)) if row % 37 != 11 else Decimal(floor - 50)
        realtime = bool(rng.random() < 0.3)
        name = f"广州{DISTRICTS[row % len(DISTRICTS)]}{TRADES[row % len(TRADES)]}有限公司{row:03d}"
        payload = {
            "kind": "user",
            "name": name,
            "account_id": accounts.account_ids[row],
            "general_taxpayer": True,
            "policy_compliant": True,
            "category": CATEGORY_CODE[category].value,
            "capability_kw": str(capability),
            "max_load_kw": f"{max_load_kw[row]:.1f}",
            "response_duration_min": 120,
            "substation": accounts.substation[row],
            "feeder": accounts.feeder[row],
            "realtime_capable": realtime,
            "minute_monitoring": realtime,
            "realtime_capability_kw": str((capability / 2).quantize(Decimal("0.1")))
            if realtime
            else None,
        }
        out.append(
            Applicant(
                f"U{row:04d}", "user", name, (row,), capability, realtime,
                Behaviour(behaviour[row]), payload,
            )
        )  # fmt: skip
    # 20 aggregators in the full city; fewer in a small one, so each still reaches 2000 kW
    n_aggregators = max(1, min(len(AGGREGATOR_NAMES), (len(accounts.account_ids) - n_users) // 25))
    members = np.array_split(np.arange(n_users, len(accounts.account_ids)), n_aggregators)
    for k, rows in enumerate(members):
        capabilities = [_capability(float(accounts.base_kw[r]), 0.12) for r in rows]
        realtime = k % 3 == 0
        total = sum(capabilities, Decimal(0))
        name = f"广州{AGGREGATOR_NAMES[k]}有限公司"
        payload = {
            "kind": "aggregator",
            "name": name,
            "general_taxpayer": True,
            "registered_in_guangzhou": True,
            "registered_capital_cny": "3000000.00" if k == 7 else "20000000.00",
            "member_list_on_file": True,
            "delegation_agreement_on_file": True,
            "response_duration_min": 120,
            "realtime_capable": realtime,
            "minute_monitoring": realtime,
            "realtime_capability_kw": str((total / 3).quantize(Decimal("0.1")))
            if realtime
            else None,
            "members": [
                {
                    "account_id": accounts.account_ids[r],
                    "member_name": f"代理用户{accounts.account_ids[r][-5:]}",
                    "capability_kw": str(c),
                    "policy_compliant": True,
                    "substation": accounts.substation[r],
                    "feeder": accounts.feeder[r],
                }
                for r, c in zip(rows.tolist(), capabilities, strict=True)
            ],
        }
        out.append(
            Applicant(
                f"A{k:02d}", "aggregator", name, tuple(rows.tolist()), total, realtime,
                Behaviour(behaviour[n_users + k]), payload,
            )
        )  # fmt: skip
    return out
