"""A file upload streamed to disk as it arrives, with a size limit of its route's own.

FastAPI's ``UploadFile`` parses the whole multipart body before the endpoint runs, with no
limit; a meter file may be hundreds of megabytes, so its routes read the body here instead: the
file part goes straight into a file in a temporary folder, the short text parts into memory, and
the body is refused (413) as soon as it passes the limit — or at once if its declared
``Content-Length`` does. The caller removes the folder, so nothing is left half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from gzkit.errors import Invalid, TooLarge

MAX_FIELD_BYTES = 2000  # a text part (a reason) beside the file


@dataclass
class ReceivedForm:
    """A multipart body received: the file on disk, its name as sent, and the text fields."""

    path: Path | None = None
    filename: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


def _too_large(limit: int, setting: str) -> TooLarge:
    return TooLarge(
        f"请求超过 {limit} 字节的上限（{setting}）/ the request body exceeds the limit of "
        f"{limit} bytes ({setting})"
    )


async def receive_form(
    request: Request, folder: Path, *, file_field: str, limit: int, setting: str
) -> ReceivedForm:
    """Read a ``multipart/form-data`` body: the part ``file_field`` into a file in ``folder``.

    Parameters
    ----------
    limit : int
        The most bytes the body may have; ``setting`` names where it is configured.

    Raises
    ------
    TooLarge
        The body (declared or received) exceeds ``limit``.
    Invalid
        Not a multipart body, a malformed one, no file part, or a text part over 2000 bytes.
    """
    where = ("body", file_field)
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise Invalid(f"send the file as multipart/form-data, field {file_field!r}", where)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, setting)

    form = ReceivedForm()
    part: dict[str, Any] = {}
    out: list[IO[bytes]] = []

    def on_part_begin() -> None:
        part.clear()
        part.update(headers={}, name=b"", value=b"", text=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["value"] += data[start:end]

    def on_header_end() -> None:
        part["headers"][part["name"].lower()] = part["value"]
        part["name"], part["value"] = b"", b""

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(part["headers"].get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        part["field"] = name
        if name == file_field:
            if form.path is not None:
                raise Invalid(f"send one file in field {file_field!r}", where)
            form.path = folder / "upload"
            form.filename = disposition.get(b"filename", b"").decode("utf-8", "replace")
            out.append(form.path.open("wb"))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part.get("field") == file_field:
            out[-1].write(data[start:end])
            return
        part["text"] += data[start:end]
        if len(part["text"]) > MAX_FIELD_BYTES:
            raise Invalid(f"at most {MAX_FIELD_BYTES} bytes", ("body", part.get("field", "")))

    def on_part_end() -> None:
        if part.get("field") == file_field:
            out[-1].close()
        elif part.get("field"):
            form.fields[part["field"]] = part["text"].decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _too_large(limit, setting)
            # Writes land in the page cache; a chunk is at most some 64 KiB.
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as err:
        raise Invalid(f"malformed multipart body: {err}", where) from None
    finally:
        for stream in out:
            stream.close()
    if form.path is None:
        raise Invalid(f"no file in field {file_field!r}", where)
    return form
