"""An upload received into a private temporary folder that is removed when the work on it
ends, whatever happens (:func:`gzkit.uploads.receive_form` leaves the folder to its caller)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Request

from gzkit.errors import Invalid
from gzkit.uploads import ReceivedForm, receive_form


@asynccontextmanager
async def received_file(
    request: Request, *, file_field: str, limit: int, setting: str
) -> AsyncIterator[ReceivedForm]:
    """The multipart body of ``request`` with its file part ``file_field`` on disk (see
    :func:`~gzkit.uploads.receive_form` for ``limit``, ``setting`` and what it raises, here
    with a Chinese half before the English reason); the file and its folder are gone after the
    block."""
    folder = Path(tempfile.mkdtemp(prefix="gzkit-upload-"))
    try:
        try:
            form = await receive_form(
                request, folder, file_field=file_field, limit=limit, setting=setting
            )
        except Invalid as err:
            raise Invalid(
                f"未收到有效的上传：请以 multipart/form-data 表单上传文件（字段 {file_field}） / "
                f"{err.message}",
                err.field,
            ) from None
        yield form
    finally:
        shutil.rmtree(folder, ignore_errors=True)
