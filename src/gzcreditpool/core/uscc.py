"""统一社会信用代码 (unified social credit identifier, GB 32100-2015): the check character.

An enterprise registers with its code (C2, 第八条); a mistyped code is caught by the 18th
character, computed from the first 17 with weights 3^(i−1) mod 31 over the 31-character
alphabet that leaves out I, O, Z, S and V.
"""

from __future__ import annotations

from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
_VALUE: Final = {character: value for value, character in enumerate(ALPHABET)}
LENGTH: Final = 18


def uscc_check_character(first17: str) -> str:
    """The check character (18th) for the first 17 characters of a code.

    Parameters
    ----------
    first17 : str
        Seventeen characters of the GB 32100 alphabet (digits and upper-case letters other than
        I, O, Z, S, V).

    Returns
    -------
    str
        ``ALPHABET[(31 − Σ value × weight mod 31) mod 31]``.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 characters of the alphabet.
    """
    if len(first17) != LENGTH - 1 or any(c not in _VALUE for c in first17):
        raise ValueError(f"not 17 characters of the GB 32100 alphabet: {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, in Chinese; None when it is valid.

    Checks the length (18), the alphabet, the registration authority code (first character:
    1–9, A–G, Y, as GB 32100 assigns), the organisation category (second: 1–9 or Y) and the
    check character.
    """
    if len(code) != LENGTH:
        return f"统一社会信用代码应为 18 位，实为 {len(code)} 位"
    bad = next((c for c in code if c not in _VALUE), None)
    if bad is not None:
        return f"统一社会信用代码含有不允许的字符 {bad!r}（不用 I、O、Z、S、V 及小写字母）"
    if code[0] not in "123456789ABCDEFGY":
        return f"统一社会信用代码第 1 位（登记管理部门代码）不能是 {code[0]!r}"
    if code[1] not in "123456789Y":
        return f"统一社会信用代码第 2 位（机构类别代码）不能是 {code[1]!r}"
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验码错误：第 18 位应为 {expected!r}，实为 {code[17]!r}"
    return None
