"""One term per concept (docs/glossary.md): the words the glossary replaced appear nowhere a
person reads, and every term the code takes from ``gzvpp.terms`` is in the glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

import gzvpp
from gzvpp import terms
from gzvpp.console import labels

PACKAGE = Path(gzvpp.__file__).parent
GLOSSARY = PACKAGE.parents[1] / "docs" / "glossary.md"
# Where people read words: templates, the browser's scripts, labels, the workbook, the report.
READ = [
    *sorted((PACKAGE / "console" / "templates").glob("*.html")),
    *sorted((PACKAGE / "console" / "static").glob("*.js")),
    PACKAGE / "console" / "labels.py",
    PACKAGE / "console" / "validation.py",
    PACKAGE / "settlement" / "export.py",
    PACKAGE / "demo" / "report.py",
]


@pytest.mark.parametrize("path", READ, ids=lambda p: p.name)
def test_no_replaced_synonym_is_shown(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    used = {old: new for old, new in terms.FORBIDDEN_SYNONYMS.items() if old in text}
    assert used == {}, f"{path.name}: use the glossary's term instead"


def test_every_shown_term_is_in_the_glossary() -> None:
    glossary = GLOSSARY.read_text(encoding="utf-8")
    shown = [
        *terms.MODES.values(),
        *terms.DIRECTIONS.values(),
        *terms.BASELINE_TYPES.values(),
        *terms.CONDITIONS.values(),
        *terms.ALARM_KINDS.values(),
        *terms.FORBIDDEN_SYNONYMS.values(),
    ]
    assert [term for term in shown if term not in glossary] == []
    for old in terms.FORBIDDEN_SYNONYMS:
        assert f"~~{old}~~" in glossary  # listed as replaced, so a writer finds the right word


def test_the_console_labels_come_from_the_glossary() -> None:
    assert labels.label("hours_ahead", "Mode") == "提前4小时邀约"
    assert labels.label("realtime", "Mode") == "实时响应"
    assert terms.baseline_type("realtime") == "实时基线"
    assert terms.baseline_type("workday") == "工作日基线"
