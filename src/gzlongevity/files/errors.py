"""The one error for bad input files: it names the file, the line and the reason, in Chinese."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: stops the replay before anything is written.

    Parameters
    ----------
    path : path or str
        The file at fault.
    reason : str
        What is wrong, in words an officer can act on.
    line : int, optional
        The line, the header being line 1.
    """

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path} 第 {line} 行" if line is not None else self.path
        super().__init__(f"{where}：{reason}")
