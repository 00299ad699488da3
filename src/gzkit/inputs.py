"""The one error type for bad input files: it names the file, the row and the reason."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: stops the run before anything is written.

    Parameters
    ----------
    path : path or str
        The file at fault.
    reason : str
        What is wrong, in words an analyst can act on.
    row : int, optional
        Where in the file: for CSV the line number counting the header as line 1, for Parquet
        the 1-based data row, for JSON the 1-based position of the item named by ``unit``.
    unit : str
        What ``row`` counts: ``line``, ``row``, ``event`` …
    """

    def __init__(
        self, path: Path | str, reason: str, row: int | None = None, unit: str = "line"
    ) -> None:
        self.path = str(path)
        self.row = row
        self.reason = reason
        self.unit = unit
        where = f"{self.path}, {unit} {row}" if row is not None else self.path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, int | None, str]]:
        # Pickled whole, so that an error raised on a Dask worker reaches the client as it is.
        return (InputError, (self.path, self.reason, self.row, self.unit))
