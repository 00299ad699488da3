"""居民身份证号 (GB 11643-1999): the check digit and the birth date it carries (第十四条).

An 18-character citizen number is 6 digits of division code, 8 of birth date (YYYYMMDD), 3 of
sequence and one check character: ``(12 - Σ aᵢ·Wᵢ mod 11) mod 11`` over the first 17 digits
with weights ``Wᵢ = 2^(17-i) mod 11``, written ``X`` for 10 (ISO 7064 MOD 11-2).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import numpy as np
import numpy.typing as npt

WEIGHTS: Final = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
CHECK_CHARACTERS: Final = "10X98765432"
"""The check character for each remainder of Σ aᵢ·Wᵢ mod 11."""
_PLACE_VALUES: Final = 10 ** np.arange(16, -1, -1, dtype=np.int64)


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a citizen number."""
    total = sum(int(digit) * int(weight) for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def id_problem(person_id: str) -> str | None:
    """Why ``person_id`` is not a valid 18-character 居民身份证号, or None when it is.

    Checks the length, the digits, the birth date (a real calendar date) and the check
    character (uppercase ``X``; normalise a lowercase ``x`` first).
    """
    if len(person_id) != 18:
        return f"身份证号 {person_id!r} 不是 18 位"
    if not (person_id[:17].isascii() and person_id[:17].isdigit()):
        return f"身份证号 {person_id!r} 前 17 位不全是数字"
    if birth_date_from_id(person_id) is None:
        return f"身份证号 {person_id!r} 的出生日期不是有效日期"
    expected = check_character(person_id[:17])
    if person_id[17] != expected:
        return f"身份证号 {person_id!r} 校验码错误（应为 {expected}）"
    return None


def birth_date_from_id(person_id: str) -> dt.date | None:
    """The birth date in positions 7–14 of a citizen number, or None if it is not a date."""
    try:
        return dt.datetime.strptime(person_id[6:14], "%Y%m%d").date()
    except ValueError:
        return None


def check_characters_valid(ids: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Vectorised check of many citizen numbers' check characters.

    Parameters
    ----------
    ids : uint8 array, shape (n, 18)
        The ASCII bytes of each number, already known to have 17 digits first.

    Returns
    -------
    bool array, shape (n,)
        True where the 18th character is the GB 11643 check character.
    """
    remainders = (_digits(ids) @ WEIGHTS) % 11
    table = np.frombuffer(CHECK_CHARACTERS.encode("ascii"), dtype=np.uint8)
    return np.asarray(table[remainders] == ids[:, 17], dtype=np.bool_)


def id_numbers(ids: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Valid citizen numbers as integers, for sorting and matching them fast.

    Parameters
    ----------
    ids : uint8 array, shape (n, 18)
        The ASCII bytes of each number, with valid check characters
        (:func:`check_characters_valid`).

    Returns
    -------
    int64 array, shape (n,)
        The first 17 digits as a number: the check character follows from them, so two
        numbers are equal, and order as their texts do, exactly when these integers do.
    """
    return np.asarray(_digits(ids) @ _PLACE_VALUES, dtype=np.int64)


def _digits(ids: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """The first 17 characters of each number as digit values."""
    return ids[:, :17].astype(np.int64) - ord("0")
