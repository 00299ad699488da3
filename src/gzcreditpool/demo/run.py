"""placeholder"""

from pathlib import Path


def run_demo(out: Path, *, enterprises: int, seed: int) -> str:
    raise NotImplementedError
