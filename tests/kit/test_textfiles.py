"""gzkit.textfiles: UTF-8, UTF-8 with BOM and GB18030 told apart; bad bytes named by line."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from gzkit.textfiles import (
    GB18030,
    UTF8,
    UTF8_BOM,
    TextDecodeError,
    detect_encoding,
    lines_to_utf8,
    normalise_encoding,
    read_text,
    transcode_to_utf8,
)

TEXT = "户号,时间,负荷\nA1,2025-07-01 00:00,1.5\n荔湾区,2025-07-01 00:15,2\n"


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), UTF8),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), UTF8_BOM),
        (TEXT.encode("gbk"), GB18030),
        (TEXT.encode("gb18030"), GB18030),
        (b"account_id,ts,kw\n", UTF8),
        (b"", UTF8),
    ],
)
def test_detect_encoding(tmp_path: Path, data: bytes, expected: str) -> None:
    assert detect_encoding(write(tmp_path, data)) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_read_text_round_trips(tmp_path: Path, encoding: str) -> None:
    assert read_text(write(tmp_path, TEXT.encode(encoding))) == TEXT


def test_utf8_split_across_blocks_is_still_utf8(tmp_path: Path) -> None:
    # A three-byte character straddling the 1 MiB block boundary must not look like GB18030.
    data = b"a" * ((1 << 20) - 1) + "荔".encode() + b"\n"
    assert detect_encoding(write(tmp_path, data)) == UTF8


def test_forced_encoding_names_the_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, TEXT.encode("gbk"))
    with pytest.raises(TextDecodeError) as caught:
        read_text(path, "utf-8")
    assert (caught.value.line, caught.value.encoding) == (1, UTF8)
    assert str(caught.value).endswith("f.csv, line 1: not valid utf-8 text")


def test_unknown_encoding_is_refused() -> None:
    assert normalise_encoding(" GBK ") == GB18030
    with pytest.raises(ValueError, match="unsupported encoding 'latin-1'"):
        normalise_encoding("latin-1")


def test_transcode_only_when_needed(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert not transcode_to_utf8(write(tmp_path, TEXT.encode()), target)
    assert not target.exists()
    assert transcode_to_utf8(write(tmp_path, TEXT.encode("gbk")), target)
    assert target.read_text(encoding="utf-8") == TEXT


def test_detection_limited_to_the_head(tmp_path: Path) -> None:
    # Judged by its first bytes, a file whose GBK text comes later reads as UTF-8 (its reader
    # then names the bad line); a character cut at the limit is no fault, GBK within it is.
    late = write(tmp_path, b"account_id,ts,kw\n" + TEXT.encode("gbk"))
    assert detect_encoding(late, limit=17) == UTF8
    assert detect_encoding(late, limit=18) == GB18030
    assert detect_encoding(late) == GB18030
    cut = write(tmp_path, b"ab" + "荔".encode() + b"\xff")
    assert detect_encoding(cut, limit=3) == UTF8
    assert detect_encoding(cut, limit=5) == UTF8
    assert detect_encoding(cut, limit=6) == GB18030
    assert detect_encoding(write(tmp_path, codecs.BOM_UTF8 + b"\xff"), limit=1) == UTF8_BOM


def test_lines_converted_block_by_block_name_the_bad_line_of_the_block() -> None:
    assert lines_to_utf8(TEXT.encode("gbk"), "gbk", "f.csv") == TEXT.encode()
    bad = TEXT.encode("gbk") + b"\x81\x20,1\n"
    with pytest.raises(TextDecodeError) as caught:
        lines_to_utf8(bad, GB18030, "f.csv")
    assert (caught.value.line, caught.value.encoding) == (4, GB18030)
