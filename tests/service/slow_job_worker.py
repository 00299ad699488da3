"""``gzvpp worker`` whose evaluations stall before they commit, for the test that kills a
worker mid-evaluation: ``python slow_job_worker.py MARKER [gzvpp worker options]``.

Test-only: it patches the evaluation in its own process. The evaluation runs (results,
audit and notifications written in its transaction), then the marker file is written and the
worker sleeps before the commit, where the test kills it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from gzvpp.cli import app
from gzvpp.settlement.evaluation import EvaluationService

marker = Path(sys.argv.pop(1))
evaluate = EvaluationService.after_upload


def stalling(self: EvaluationService, *args: Any, **kwargs: Any) -> Any:
    reports = evaluate(self, *args, **kwargs)
    marker.write_text("evaluated, not committed")
    time.sleep(3600)
    return reports


EvaluationService.after_upload = stalling  # type: ignore[method-assign]
app(["worker", *sys.argv[1:]])
