"""The platform's advisory locks (:mod:`gzkit.advisory`): which work one process at a time
may do when several serve."""

from __future__ import annotations

from gzkit.advisory import AdvisoryLock

# The first of the two 32-bit keys of every lock the platform takes: "gzvp".
NAMESPACE = 0x677A7670


class Lock(AdvisoryLock):
    """The second key: which work the lock is for."""

    SCHEDULER = 1
    OPENADR_RELAY = 2
    METER_PARTITIONS = 3
    EVALUATION = 4

    @classmethod
    def namespace(cls) -> int:
        """``"gzvp"``."""
        return NAMESPACE
