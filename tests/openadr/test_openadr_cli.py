"""What a field engineer reads: ``gzvpp db upgrade`` says what it did, ``gzvpp openadr
add-ven --help`` shows the fingerprint example as written, and the OpenADR switches turn on
for the values the documentation lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from gzvpp.cli import app as cli
from gzvpp.kit.db import MIGRATIONS
from gzvpp.openadr.runtime import FLAG_ON, Settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "openadr.md"


def test_db_upgrade_says_what_it_did(tmp_path: Path) -> None:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    first = CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"数据库已升级到 {head}（原为 空库）"
    again = CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url])
    assert again.output.strip() == f"数据库已是最新版本 {head}，无需升级"


def test_add_ven_help_shows_the_fingerprint_example_as_written() -> None:
    result = CliRunner().invoke(cli, ["openadr", "add-ven", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "(AB:CD:…)" in result.output
    assert "\N{OPTICAL DISC}" not in result.output


@pytest.mark.parametrize("value", [*FLAG_ON, "ON", " Yes "])
def test_http_callbacks_turn_on_for_the_documented_values(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("GZVPP_OPENADR_HTTP_CALLBACKS", value)
    assert Settings.from_env().allow_http_callbacks


@pytest.mark.parametrize("value", ["", "0", "off", "enabled", "https"])
def test_http_callbacks_stay_off_otherwise(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("GZVPP_OPENADR_HTTP_CALLBACKS", value)
    assert not Settings.from_env().allow_http_callbacks


def test_the_docs_list_exactly_the_values_that_turn_http_callbacks_on() -> None:
    (row,) = [
        line
        for line in DOCS.read_text().splitlines()
        if line.startswith("| `GZVPP_OPENADR_HTTP_CALLBACKS`")
    ]
    match = re.search(r"on when set to (.*?) \(any case\)", row)
    assert match is not None, row
    listed = set(re.findall(r"`([^`]+)`", match.group(1)))
    assert listed == set(FLAG_ON)
