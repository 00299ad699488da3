"""Control characters in text: the one rule every edge applies (request bodies, path and query
parameters, console forms, the account ids of uploaded files). Plain Python, so the file readers
use it without the web stack."""

from __future__ import annotations

import re

# C0 controls and DEL; the second set lets tab, line feed and carriage return through.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def chinese_half(message: str) -> str:
    """The Chinese half of a bilingual message (``中文 / English``); the whole of any other."""
    return message.split(" / ")[0]


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character in ``text`` as ``U+XXXX``, or None if there is none.

    Parameters
    ----------
    text : str
    multiline : bool
        Whether tab, line feed and carriage return are allowed (free text).
    """
    found = (_CONTROL_BUT_LINES if multiline else _CONTROL).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def control_character_message(character: str) -> str:
    """The refusal, in Chinese and English."""
    return f"不得包含控制字符（{character}） / must not contain control characters ({character})"
