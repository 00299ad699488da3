"""Whether an enterprise is a 科技型中小企业 on a given day (C2; 第八条), for the service's
check at each loan. (The batch command takes the answer as ``enterprise_eligible``.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from gzcreditpool.core.money import cny

MAX_REVENUE_FEN: Final = cny(500_000_000)  # 第八条 "年销售收入 5 亿元以下" (以下: included)


@dataclass(frozen=True)
class EnterpriseFacts:
    """What 第八条 asks, as registered; money in fen.

    Attributes
    ----------
    high_tech_valid_until : date or None
        Last day of the 高新技术企业 certificate's validity; None without one.
    science_plan_project, founding_institution, sme_database_no : str or None
        Evidence of the other three types: the science-plan project, the ministry / central
        SOE / university / institute that founded it, the entry in the national
        科技型中小企业 database.
    dishonest : bool
        Flagged 失信 (第三十条): no longer supported.
    """

    registered_in_guangzhou: bool
    independent_legal_person: bool
    revenue_fen: int
    high_tech_valid_until: dt.date | None
    science_plan_project: str | None
    founding_institution: str | None
    sme_database_no: str | None
    dishonest: bool


def eligibility_problems(facts: EnterpriseFacts, on: dt.date) -> list[str]:
    """Why the enterprise is not eligible on ``on`` (Chinese, in 第八条's order); empty when
    it is: registered in Guangzhou as an independent legal person, latest revenue ≤
    500,000,000 CNY, at least one of the four types (a 高新技术企业 certificate counts only
    while valid on ``on``), and not flagged dishonest."""
    problems = []
    if not facts.registered_in_guangzhou:
        problems.append("未在广州市注册")
    if not facts.independent_legal_person:
        problems.append("不具有独立法人资格")
    if facts.revenue_fen > MAX_REVENUE_FEN:
        problems.append("上年度销售收入超过 5 亿元")
    high_tech = facts.high_tech_valid_until is not None and on <= facts.high_tech_valid_until
    others = facts.science_plan_project or facts.founding_institution or facts.sme_database_no
    if not (high_tech or others):
        expired = facts.high_tech_valid_until is not None
        problems.append(
            f"高新技术企业证书已于 {facts.high_tech_valid_until} 过期，且无其他科技型企业类型证明"
            if expired
            else "无科技型中小企业类型证明"
            "（科技计划项目、院所创办、高新技术企业、科技型中小企业库）"
        )
    if facts.dishonest:
        problems.append("已被列为失信企业")
    return problems
