"""An upload received into a private temporary folder that is removed when the work on it
ends, whatever happens (:func:`gzkit.uploads.receive_form` leaves the folder to its caller)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Request

from gzkit.uploads import ReceivedForm, receive_form


@asynccontextmanager
async def received_file(
    request: Request, *, file_field: str, limit: int, setting: str
) -> AsyncIterator[ReceivedForm]:
    """The multipart body of ``request`` with its file part ``file_field`` on disk (see
    :func:`~gzkit.uploads.receive_form` for ``limit``, ``setting`` and what it raises); the
    file and its folder are gone after the block."""
    folder = Path(tempfile.mkdtemp(prefix="gzkit-upload-"))
    try:
        yield await receive_form(
            request, folder, file_field=file_field, limit=limit, setting=setting
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
