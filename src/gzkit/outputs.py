"""Output files written whole or not at all.

Every batch command writes its outputs to temporary files beside the targets and renames them
over the targets only when the run has succeeded, so a failed run leaves an earlier output as
it was. A target that exists and is not a regular file (``/dev/null``, a directory) is refused
before anything is written: renaming over it would replace a device with a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from gzkit.inputs import InputError


def check_output(target: Path) -> None:
    """Refuse ``target`` unless it is absent or a regular file.

    Raises
    ------
    InputError
        Naming the target.
    """
    if target.exists() and not target.is_file():
        raise InputError(target, "不是普通文件，不能作为输出文件（输出先写入临时文件再替换）")


@contextlib.contextmanager
def replaced_on_success(*targets: Path | None) -> Iterator[list[BinaryIO | None]]:
    """Open a temporary file beside each target (None: no file, a None handle); rename them all
    over the targets only when the block finishes without an exception, else remove them.

    Raises
    ------
    InputError
        A target that exists and is not a regular file (:func:`check_output`).
    """
    for target in targets:
        if target is not None:
            check_output(target)
    opened: list[tuple[Path, Path, BinaryIO]] = []
    handles: list[BinaryIO | None] = []
    try:
        for target in targets:
            if target is None:
                handles.append(None)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
            )
            handle: BinaryIO = os.fdopen(descriptor, "wb")
            opened.append((target, Path(name), handle))
            handles.append(handle)
        yield handles
        for _, _, handle in opened:
            handle.close()
        for target, temporary, _ in opened:
            os.replace(temporary, target)
    finally:
        for _, temporary, handle in opened:
            handle.close()
            temporary.unlink(missing_ok=True)
