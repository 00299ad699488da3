"""The one error for bad input files, shared by the three systems (:mod:`gzkit.inputs`):
``<文件> 第 N 行 <列> 列：<原因>``. Named here too because the replay imports it from here."""

from __future__ import annotations

from gzkit.inputs import InputError

__all__ = ["InputError"]
