"""/docs works offline: every asset it names is served by the platform itself from an
installed package, and it starts without inline script. /redoc (whose sidebar fetches a logo
from the network) is not offered."""

from __future__ import annotations

import re

from conftest import Platform

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def test_api_docs_name_only_local_assets_that_exist(platform: Platform) -> None:
    page = platform.client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = ASSET.findall(page.text)
    assert assets, "the page names its scripts and styles"
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not local"
        answer = platform.client.get(url)
        assert answer.status_code == 200 and answer.content, url
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), "inline script"
    # The document they render is the platform's own.
    assert "/openapi.json" in page.text
    assert platform.client.get("/openapi.json").json()["info"]["title"] == "广州市虚拟电厂管理平台"


def test_there_is_no_redoc(platform: Platform) -> None:
    assert platform.client.get("/redoc").status_code == 404
