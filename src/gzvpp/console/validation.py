"""The platform's form fields by the name the API gives them, with the Chinese label the
console's validation messages use (:mod:`gzkit.console.validation`)."""

from __future__ import annotations

from collections.abc import Mapping

# The form fields a person fills in, by the name the API gives them.
FIELDS: Mapping[str, str] = {
    "kw": "申报容量",
    "price": "申报价格",
    "demand_kw": "需求容量",
    "fixed_price": "固定价格",
    "start_at": "开始时间",
    "end_at": "结束时间",
    "forecast_max_mw": "预测最大统调负荷",
    "substations": "范围变电站",
    "feeders": "范围线路",
    "direction": "方向",
    "mode": "类型",
    "price_mode": "价格方式",
    "reason": "理由",
    "page": "页码",
    "quarter": "季度",
    "token": "令牌",
    "participant_id": "参与者",
}
