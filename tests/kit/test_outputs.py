"""Output files written whole or not at all (gzkit.outputs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gzkit.inputs import InputError
from gzkit.outputs import replaced_on_success


def test_outputs_replace_the_targets_only_when_the_block_succeeds(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "sub" / "b.csv"
    first.write_bytes(b"earlier")
    with pytest.raises(RuntimeError), replaced_on_success(first, None, second) as handles:
        assert handles[1] is None
        for handle in (handles[0], handles[2]):
            assert handle is not None
            handle.write(b"new")
        raise RuntimeError("the run failed")
    assert first.read_bytes() == b"earlier" and not second.exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.csv"]
    with replaced_on_success(first, second) as (one, two):
        assert one is not None and two is not None
        one.write(b"one")
        two.write(b"two")
    assert (first.read_bytes(), second.read_bytes()) == (b"one", b"two")


@pytest.mark.parametrize("target", ["/dev/null", "folder"])
def test_a_target_that_is_not_a_regular_file_is_refused_before_writing(
    tmp_path: Path, target: str
) -> None:
    path = Path(target) if target.startswith("/") else tmp_path / target
    if not path.exists():
        path.mkdir()
    with pytest.raises(InputError, match="不是普通文件"), replaced_on_success(path):
        raise AssertionError("the block must not run")
    assert Path("/dev/null").is_char_device()
