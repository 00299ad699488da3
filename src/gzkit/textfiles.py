"""Text input files as people in Guangzhou save them: UTF-8, UTF-8 with a BOM, or GB18030.

Excel on a Chinese Windows saves CSV as GBK (a subset of GB18030) unless told otherwise, other
tools write UTF-8 with or without a byte-order mark. :func:`detect_encoding` tells them apart:
a BOM says UTF-8; bytes that are valid UTF-8 are read as UTF-8 (GBK text is almost never valid
UTF-8, while pure ASCII is both); anything else is GB18030, which can decode every GBK file.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import Final

UTF8: Final = "utf-8"
UTF8_BOM: Final = "utf-8-sig"
GB18030: Final = "gb18030"
ENCODINGS: Final = (UTF8, UTF8_BOM, GB18030)
_ALIASES: Final = {
    "utf8": UTF8,
    "utf-8": UTF8,
    "utf-8-sig": UTF8_BOM,
    "gbk": GB18030,
    "gb2312": GB18030,
    "gb18030": GB18030,
}
_BLOCK: Final = 1 << 20


class TextDecodeError(ValueError):
    """A file's bytes are not text in ``encoding``; names the file and the 1-based line."""

    def __init__(self, path: Path | str, line: int, encoding: str) -> None:
        self.path = str(path)
        self.line = line
        self.encoding = encoding
        super().__init__(f"{self.path}, line {line}: not valid {encoding} text")


def normalise_encoding(name: str) -> str:
    """The canonical name of a supported encoding (``gbk`` and ``gb2312`` read as GB18030).

    Raises
    ------
    ValueError
        For an encoding other than UTF-8, UTF-8 with BOM, GBK, GB2312 or GB18030.
    """
    try:
        return _ALIASES[name.strip().lower()]
    except KeyError:
        raise ValueError(
            f"unsupported encoding {name!r}: use utf-8, utf-8-sig or gb18030"
        ) from None


def detect_encoding(path: Path | str, limit: int | None = None) -> str:
    """``utf-8-sig`` for a BOM, ``utf-8`` for valid UTF-8 throughout, else ``gb18030``.

    Reads the file once in 1 MiB blocks with an incremental decoder, so a large file costs no
    more memory than a block.

    Parameters
    ----------
    path : path or str
    limit : int, optional
        Judge by the first ``limit`` bytes only (a character cut at the limit is not a fault).
        For large machine-written files whose reader checks UTF-8 anyway: a stray byte further
        on is then that reader's error, named by line with :func:`iter_lines`.
    """
    with Path(path).open("rb") as stream:
        head = stream.read(len(codecs.BOM_UTF8))
        if head == codecs.BOM_UTF8:
            return UTF8_BOM
        decoder = codecs.getincrementaldecoder(UTF8)()
        remaining = None if limit is None else max(limit - len(head), 0)
        block = head
        try:
            while block:
                decoder.decode(block)
                if remaining == 0:
                    return UTF8  # at the limit: a character cut there is not judged
                block = stream.read(_BLOCK if remaining is None else min(_BLOCK, remaining))
                if remaining is not None:
                    remaining -= len(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return GB18030
    return UTF8


def iter_lines(path: Path | str, encoding: str | None = None) -> Iterator[str]:
    """The file's lines, decoded (``encoding`` or :func:`detect_encoding`), line ends kept.

    Raises
    ------
    TextDecodeError
        Naming the first line whose bytes are not valid in the encoding.
    """
    chosen = normalise_encoding(encoding) if encoding else detect_encoding(path)
    # Only the first line can start with the byte-order mark.
    later = UTF8 if chosen == UTF8_BOM else chosen
    with Path(path).open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                yield raw.decode(chosen if number == 1 else later)
            except UnicodeDecodeError:
                raise TextDecodeError(path, number, chosen) from None


def read_text(path: Path | str, encoding: str | None = None) -> str:
    """The whole file as text (see :func:`iter_lines`), without a BOM."""
    return "".join(iter_lines(path, encoding))


def transcode_to_utf8(path: Path | str, target: Path, encoding: str | None = None) -> bool:
    """Write ``path`` as UTF-8 without BOM to ``target`` unless it is UTF-8 already.

    Returns
    -------
    bool
        True when ``target`` was written; False when ``path`` is plain UTF-8 and can be read as
        it is (the fast path for large machine-written files).
    """
    chosen = normalise_encoding(encoding) if encoding else detect_encoding(path)
    if chosen == UTF8:
        return False
    with target.open("w", encoding=UTF8, newline="") as out:
        for line in iter_lines(path, chosen):
            out.write(line)
    return True


def lines_to_utf8(data: bytes, encoding: str, path: Path | str) -> bytes:
    """Whole lines of text in ``encoding`` (a block of a file), as UTF-8 without a BOM.

    For reading a large file in blocks cut at line ends, each on its own thread: no byte of a
    line end occurs inside a UTF-8 or GB18030 character, so each block decodes on its own.

    Raises
    ------
    TextDecodeError
        Naming the line of the block (the block's first line being 1) where the bytes are not
        valid in ``encoding``.
    """
    try:
        return data.decode(normalise_encoding(encoding)).encode(UTF8)
    except UnicodeDecodeError as exc:
        raise TextDecodeError(path, data.count(b"\n", 0, exc.start) + 1, encoding) from None
