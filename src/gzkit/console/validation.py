"""Validation errors in Chinese for the consoles' readers.

The JSON APIs keep pydantic's English ``msg`` for their clients; a console translates each
error by its ``type`` and names the field by its Chinese label (each system supplies its own
``fields``: the name the API gives a field → its label). The same tables reach the browser
(``texts``) so that forms calling the API show the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

# pydantic's error types; ``{name}`` is a value of the error's ``ctx``.
MESSAGES: Mapping[str, str] = {
    "missing": "必填",
    "decimal_max_places": "最多保留 {decimal_places} 位小数",
    "decimal_max_digits": "最多 {max_digits} 位数字",
    "decimal_whole_digits": "整数部分最多 {whole_digits} 位",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "float_parsing": "须为数字",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "string_too_short": "不能为空",
    "string_too_long": "最多 {max_length} 个字",
    "string_pattern_mismatch": "格式不正确",
    "too_long": "最多 {max_length} 项",
    "datetime_parsing": "须为有效的日期时间",
    "datetime_from_date_parsing": "须为有效的日期时间",
    "datetime_type": "须为有效的日期时间",
    "date_parsing": "须为有效的日期",
    "date_from_datetime_parsing": "须为有效的日期",
    "bool_parsing": "须为是或否",
    "enum": "不是可选的值",
    "literal_error": "不是可选的值",
    "extra_forbidden": "不是可填写的项",
    "json_invalid": "请求格式有误",
    "model_attributes_type": "请求格式有误",
}
GENERIC = "输入有误"
CHINESE = re.compile("[\u4e00-\u9fff]")


def _field(loc: Iterable[Any], fields: Mapping[str, str]) -> str:
    """The Chinese label of the innermost named part of ``loc`` (a list index is skipped)."""
    for part in reversed(list(loc)):
        if isinstance(part, str) and part not in ("body", "query", "form", "path"):
            return fields.get(part, "")
    return ""


def message(error: Mapping[str, Any], fields: Mapping[str, str]) -> str:
    """One error (``{"loc", "msg", "type", "ctx"}``) as a Chinese sentence naming the field.

    A service's own errors (type ``invalid``, ``value_error``) carry ``中文 / English``; their
    Chinese half is kept; any other English message becomes a generic one.
    """
    kind = str(error.get("type", ""))
    text = str(error.get("msg", "")).removeprefix("Value error, ")
    if kind in MESSAGES:
        try:
            text = MESSAGES[kind].format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            text = MESSAGES[kind].split("{")[0].strip() or GENERIC
    elif " / " in text:
        text = text.split(" / ")[0]
    elif not CHINESE.search(text):
        text = GENERIC
    label = _field(error.get("loc", ()), fields)
    return f"{label}：{text}" if label else text


def messages(errors: Iterable[Mapping[str, Any]], fields: Mapping[str, str]) -> list[str]:
    """Every error of a 422, in Chinese, each once."""
    return list(dict.fromkeys(message(e, fields) for e in errors))


def texts(fields: Mapping[str, str]) -> dict[str, Any]:
    """The tables for the browser's copy of :func:`message` (``console.js``)."""
    return {"fields": dict(fields), "messages": dict(MESSAGES), "generic": GENERIC}


M = TypeVar("M", bound=BaseModel)


def form_model(model: type[M], *, renamed: Mapping[str, str] | None = None, **fields: object) -> M:
    """A request body from a console form's fields; a pydantic refusal becomes the Chinese 422
    page (as FastAPI's own validation would be, never a 500), naming each field by its form
    name (``renamed``: a body field to its form field)."""
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        names = renamed or {}
        raise RequestValidationError(
            [
                {**error, "loc": tuple(names.get(str(part), part) for part in error["loc"])}
                for error in err.errors()
            ]
        ) from None
