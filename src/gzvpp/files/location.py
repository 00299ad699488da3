"""Where meter loads live: a local path, or an fsspec URL (``s3://bucket/loads/``) that whoever
reads the loads opens itself — on a cluster, each worker (issue #11)."""

from __future__ import annotations

import glob
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from gzkit.inputs import InputError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

LoadsLocation = Path | str
"""A local :class:`~pathlib.Path`, or the text of a URL with a protocol."""


def loads_location(text: str) -> LoadsLocation:
    """The location ``text`` names: a URL with a protocol (``s3://…``, ``gs://…``,
    ``file:///…``) stays text, as :class:`~pathlib.Path` would fold its ``//``; anything else
    is a local path."""
    from fsspec.core import split_protocol

    protocol, _ = split_protocol(text)
    return text if protocol else Path(text)


def suffix(location: LoadsLocation) -> str:
    """The lower-case file suffix of ``location`` (``.parquet``, ``.csv`` or ``""``)."""
    return PurePosixPath(str(location)).suffix.lower()


def remote_filesystem(url: str) -> tuple[AbstractFileSystem, str]:
    """The fsspec filesystem serving ``url`` and the path within it.

    Raises
    ------
    InputError
        If the protocol is unknown or its fsspec package (``s3fs`` for ``s3://``: the ``s3``
        extra) is not installed.
    """
    from fsspec.core import split_protocol, url_to_fs

    try:
        filesystem, path = url_to_fs(url)
    except ImportError:
        protocol = split_protocol(url)[0]
        raise InputError(url, f"未安装 {protocol}:// 存储所需的 fsspec 组件") from None
    except ValueError:
        protocol = split_protocol(url)[0]
        raise InputError(url, f"不支持的存储协议 {protocol}://") from None
    return filesystem, str(path)


def is_dataset(location: LoadsLocation) -> bool:
    """Whether ``location`` names a Parquet dataset: a directory, or a glob pattern of files (a
    local path that exists is taken as it is, brackets and all)."""
    if isinstance(location, Path):
        return location.is_dir() or (glob.has_magic(str(location)) and not location.exists())
    filesystem, path = remote_filesystem(location)
    return glob.has_magic(path) or _remote(location, lambda: filesystem.isdir(path))


def read_text(location: LoadsLocation, name: str) -> str | None:
    """The UTF-8 text of the file ``name`` inside the directory ``location``; None if there is
    no such file."""
    if isinstance(location, Path):
        inner = location / name
        return inner.read_text(encoding="utf-8") if inner.is_file() else None
    filesystem, path = remote_filesystem(location)
    inner_path = f"{path.rstrip('/')}/{name}"
    if not _remote(location, lambda: filesystem.isfile(inner_path)):
        return None
    data: bytes = _remote(location, lambda: filesystem.cat_file(inner_path))
    return data.decode("utf-8")


def inner(location: LoadsLocation, name: str) -> LoadsLocation:
    """The file ``name`` inside the directory ``location``, for messages."""
    if isinstance(location, Path):
        return location / name
    return f"{location.rstrip('/')}/{name}"


def dataset_source(location: LoadsLocation) -> tuple[Any, AbstractFileSystem | None]:
    """What :func:`pyarrow.dataset.dataset` opens for ``location``: a directory or a sorted list
    of the files a glob pattern matches, and the filesystem (None: the local one).

    Raises
    ------
    InputError
        If a glob pattern matches no file.
    """
    if isinstance(location, Path):
        text = str(location)
        if is_dataset(location) and not location.is_dir():
            files = sorted(glob.glob(text))
            if not files:
                raise InputError(location, "没有与此模式匹配的 Parquet 文件")
            return files, None
        return text, None
    filesystem, path = remote_filesystem(location)
    if glob.has_magic(path):
        matched = sorted(_remote(location, lambda: filesystem.glob(path)))
        if not matched:
            raise InputError(location, "没有与此模式匹配的 Parquet 文件")
        return matched, filesystem
    return path, filesystem


def _remote(location: str, call: Any) -> Any:
    """``call()`` on a remote filesystem, its failures (which need not be OSErrors: a missing
    credential, a refused connection) told as one line naming the location."""
    try:
        return call()
    except Exception as err:  # any backend's failure, told as the location's
        raise InputError(location, f"无法访问远程存储：{type(err).__name__}: {err}") from None
