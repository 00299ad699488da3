"""The elder's own confirmation (穗好办-style, 适老化): one question per screen in large type and
high contrast, each answer labelled for screen readers, no script needed. The answers travel
from screen to screen in the form; the last screen shows them back and submits to the same
service as the API (:func:`gzlongevity.confirmations.service.confirm_self`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import DomainError
from gzlongevity.confirmations import service
from gzlongevity.confirmations.schemas import SelfConfirmIn
from gzlongevity.console.labels import zh
from gzlongevity.console.pages import PageRoute, render
from gzlongevity.kit.auth import mask_account, mask_id

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@dataclass(frozen=True)
class Question:
    """One screen: the answer's field, the question, a hint, how to check the answer."""

    field: str
    question: str
    hint: str
    pattern: str
    problem: str
    inputmode: str = "text"


QUESTIONS = (
    Question(
        "code",
        "请输入通知上的确认码",
        "街道寄给您的短信或信函上的 6 位数字。",
        r"[0-9]{6}",
        "确认码是 6 位数字",
        "numeric",
    ),
    Question("name", "请输入您的姓名", "与身份证上的姓名一致。", r".{1,100}", "请填写姓名"),
    Question(
        "id_number",
        "请输入您的身份证号",
        "18 位，最后一位可能是 X。",
        r"[0-9]{17}[0-9Xx]",
        "身份证号是 18 位",
    ),
    Question(
        "bank_name",
        "保健金打到哪家银行？",
        "例如：工商银行、农业银行、邮储银行。",
        r".{2,100}",
        "请填写开户银行",
    ),
    Question(
        "bank_account",
        "请输入银行卡号",
        "银行卡正面的数字，12 到 30 位。",
        r"[0-9]{12,30}",
        "银行卡号是 12 到 30 位数字",
        "numeric",
    ),
    Question(
        "phone",
        "请输入手机号码（可以不填）",
        "用于接收发放通知。",
        r"(1[0-9]{10})?",
        "手机号码是 11 位数字",
        "tel",
    ),
    Question(
        "agreement",
        "是否同意签订发放扣款协议？",
        "如有多发，可从同一账户原路退回，无需您再跑腿（第十二条）。也可以以后再签。",
        r"[01]",
        "请选择是或否",
    ),
)
FIELDS = [question.field for question in QUESTIONS]


def _answers(form: dict[str, str]) -> dict[str, str]:
    return {field: form.get(field, "").strip() for field in FIELDS}


@router.get("/elder")
def start(request: Request) -> Response:
    """The first screen."""
    return render(request, None, "elder.html", step=-1, answers=_answers({}), questions=QUESTIONS)


@router.post("/elder")
async def answer(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    """The next screen (or the previous one), or the confirmation itself."""
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    answers = _answers(form)
    try:
        step = int(form.get("step", "-1"))
    except ValueError:
        step = -1
    step = min(max(step, -1), len(QUESTIONS))
    if form.get("go") == "back":
        return render(
            request,
            None,
            "elder.html",
            step=max(step - 1, -1),
            answers=answers,
            questions=QUESTIONS,
        )
    if 0 <= step < len(QUESTIONS):
        question = QUESTIONS[step]
        if not re.fullmatch(question.pattern, answers[question.field]):
            return render(
                request,
                None,
                "elder.html",
                422,
                step=step,
                answers=answers,
                questions=QUESTIONS,
                error=question.problem,
            )
    if step < len(QUESTIONS):
        return render(
            request,
            None,
            "elder.html",
            step=step + 1,
            answers=answers,
            questions=QUESTIONS,
            shown={
                "id_number": mask_id(answers["id_number"].upper()),
                "bank_account": mask_account(answers["bank_account"]),
            },
        )
    try:
        body = SelfConfirmIn(
            id_number=answers["id_number"].upper(),
            name=answers["name"],
            code=answers["code"],
            bank_name=answers["bank_name"],
            bank_account=answers["bank_account"],
            phone=answers["phone"] or None,
            agreement=answers["agreement"] == "1",
        )
    except ValidationError:
        return render(
            request,
            None,
            "elder.html",
            422,
            step=0,
            answers=answers,
            questions=QUESTIONS,
            error="有信息填写不完整，请从确认码开始核对",
        )
    try:
        confirmed = service.confirm_self(session, clock.now(), body)
    except DomainError as err:
        return render(
            request,
            None,
            "elder.html",
            422,
            step=0,
            answers=answers,
            questions=QUESTIONS,
            error=zh(err.message),
        )
    return render(request, None, "elder_done.html", confirmed=confirmed)
