"""The console's form fields in Chinese, for validation messages (:mod:`gzkit.console`)."""

from __future__ import annotations

FIELDS = {
    "name": "账户名",
    "password": "密码",
    "token": "访问令牌",
    "contract_no": "借款合同编号",
    "enterprise_uscc": "统一社会信用代码",
    "uscc": "统一社会信用代码",
    "disbursed_on": "放款日",
    "amount": "金额",
    "term_months": "期限（月）",
    "credit_part": "信用部分",
    "financing_guarantee": "融资担保",
    "loan_id": "贷款编号",
    "npl_balance": "不良贷款余额",
    "category": "风险分类",
    "as_of": "分类日期",
    "received_on": "收回日期",
    "gross": "收回金额",
    "fees": "诉讼等费用",
    "refunded_on": "退回日期",
    "file": "文件",
    "year": "年度",
    "reason": "理由",
    "code": "代码",
    "title": "标题",
    "bank_code": "银行代码",
    "confirmed_on": "确认日",
    "starts_on": "施行日",
    "ends_on": "有效期至",
}
