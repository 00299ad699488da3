"""A system's console site: its templates before the shared ones, its static files beside the
shared ones, and the route class that renders refusals as Chinese pages.

Shared templates are reached under ``kit/`` (``{% extends "kit/layout.html" %}``,
``{% import "kit/macros.html" as kit with context %}``); ``kit/error.html`` and
``kit/confirm.html`` extend the system's own ``base.html``. Every script and style ships with a
package: the shared ``console.css``/``console.js``, the system's own, plotly.js from the
installed plotly and Swagger UI (for ``/docs``) from the installed fastapi-offline.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

import fastapi_offline
import plotly
from fastapi import Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from gzkit.console import security, validation
from gzkit.csrf import ForgedRequest
from gzkit.errors import DomainError

HERE = Path(__file__).parent
API_DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
FORGED = (
    "请求被拒绝",
    "此操作不是从本平台的页面提交的，或页面已过期，未执行。请返回页面刷新后重试。",
)
ERRORS = {
    403: ("无权访问", "您的角色不能打开此页面或执行此操作。"),
    404: ("未找到", "页面不存在，或您无权查看。"),
    405: ("操作未完成", "此页面不接受这种操作。"),
    409: ("操作未完成", "当前状态不允许此操作。"),
    413: ("请求过大", "提交的内容超过上限，未执行。"),
    422: ("输入有误", "请检查输入后重试。"),
}
# (request, status code, the reason's text, a (title, explanation) instead of the status's)
ErrorPage = Callable[[Request, int, str, tuple[str, str] | None], Response]


class ConsoleSite:
    """One system's console.

    Parameters
    ----------
    name : str
        The system's Chinese name, in every page's header and title.
    directory : Path
        The system's console package: its ``templates/`` and ``static/``.
    cookie : str
        The session cookie the system's sign-in sets.
    fields : mapping
        The system's form fields (the API's name → Chinese label) for validation messages.
    """

    def __init__(
        self, *, name: str, directory: Path, cookie: str, fields: Mapping[str, str]
    ) -> None:
        self.cookie = cookie
        self.fields = fields
        loader = ChoiceLoader(
            [
                FileSystemLoader(directory / "templates"),
                PrefixLoader({"kit": FileSystemLoader(HERE / "templates")}),
            ]
        )
        self.templates = Jinja2Templates(env=Environment(loader=loader, autoescape=True))
        self.templates.env.globals["site_name"] = name
        self.templates.env.globals["error_texts"] = validation.texts(fields)
        own = directory / "static"
        self.static_files: dict[str, Path] = (
            {path.name: path for path in (HERE / "static").iterdir()}
            | ({path.name: path for path in own.iterdir()} if own.is_dir() else {})
            | {"plotly.min.js": PLOTLY_JS}
            | {path.name: path for path in API_DOCS_ASSETS.iterdir()}
        )

    def form_token(self, request: Request) -> str:
        """The ``csrf_token`` of the page rendered for ``request`` ("" signed out)."""
        return security.form_token(request, self.cookie)

    def route_class(self, error_page: ErrorPage) -> type[APIRoute]:
        """The class of the console's routes: forged forms, invalid input and refusals
        (:class:`~gzkit.errors.DomainError`) answer with ``error_page`` in Chinese instead of
        JSON."""
        site = self

        class PageRoute(APIRoute):
            def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
                handler = super().get_route_handler()

                async def page(request: Request) -> Response:
                    try:
                        await security.check_form(request, site.cookie)
                        return await handler(request)
                    except ForgedRequest:
                        return error_page(request, 403, "", FORGED)
                    except RequestValidationError as err:
                        # In Chinese with each field's label, never echoing what was sent.
                        texts = validation.messages(err.errors(), site.fields)
                        return error_page(request, 422, "；".join(texts), None)
                    except DomainError as err:
                        # Why a step was refused helps; what was not found would tell too much.
                        shown = err.status_code in (409, 422)
                        detail = err.message if shown else ""
                        return error_page(request, err.status_code, detail, None)

                return page

        return PageRoute


def unknown_page_handler(
    error_page: ErrorPage,
) -> Callable[[Request, Exception], Coroutine[Any, Any, Response]]:
    """An exception handler for Starlette's HTTP errors: an unknown ``/console`` address (or a
    method it does not take) answers with ``error_page`` in Chinese; elsewhere FastAPI's JSON
    answer stands."""

    async def unknown_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/console") and exc.status_code in (404, 405):
            return error_page(request, exc.status_code, "", None)
        return await http_exception_handler(request, exc)

    return unknown_page
