"""Closed-loop HTTP load from wrk (Debian's ``wrk``), for the benchmarks.

A load generator written in Python spends as much CPU per request as the server it loads, and on
this 2-core machine the two share the cores: the figures then measure the client. wrk is a C
load generator; each of its connections is one client that sends a request, waits for the
answer, then thinks for ``think_s`` seconds before the next (its Lua ``delay`` hook). The
requests cycle through ``requests`` (method, path, headers); the Lua script counts every status
and every ``Retry-After`` and reports them with the latency percentiles as one JSON line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = """
local requests = {}
local think_ms = %(think_ms)d
local jitter = %(jitter)f
local connections = %(connections)d
local i = 0
local delays = 0
statuses = {}  -- globals, so that done() can read each thread's with thread:get
retry_after = 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  for line in io.lines("%(requests_file)s") do
    local method, path, name, value = line:match("^(%%S+)\\t(%%S+)\\t([^\\t]*)\\t(.*)$")
    local headers = {}
    if name ~= "" then headers[name] = value end
    table.insert(requests, wrk.format(method, path, headers))
  end
end

request = function()
  i = i %% #requests + 1
  return requests[i]
end

-- Clients do not start in step: each connection's first request comes at a random moment of
-- the first period, and each later one after think_ms ± jitter × think_ms.
delay = function()
  delays = delays + 1
  if delays <= connections then
    return math.random(0, math.floor(think_ms * (1 + jitter)))
  end
  return math.floor(think_ms * (1 - jitter + 2 * jitter * math.random()))
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["Retry-After"] or headers["retry-after"] then retry_after = retry_after + 1 end
end

done = function(summary, latency, requests)
  local counts, answered_late = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
    answered_late = answered_late + thread:get("retry_after")
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%%d": %%d', status, count))
  end
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "seconds": %%f, "socket_errors": %%d, "timeouts": %%d, '
    .. '"p50_ms": %%f, "p99_ms": %%f, "max_ms": %%f, "retry_after": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    answered_late, table.concat(parts, ", ")))
end
"""


@dataclass(frozen=True)
class Request:
    """One request of the cycle; ``header`` is one (name, value) pair or None."""

    method: str
    path: str
    header: tuple[str, str] | None = None


@dataclass(frozen=True)
class Result:
    """What wrk measured: requests answered, statuses, latency percentiles (ms)."""

    requests: int
    seconds: float
    socket_errors: int
    timeouts: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    retry_after: int
    statuses: dict[str, int]

    @property
    def server_errors(self) -> int:
        """5xx answers, and requests that got no answer at all."""
        fives = sum(n for status, n in self.statuses.items() if int(status) >= 500)
        return fives + self.socket_errors + self.timeouts

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.requests} requests, {self.requests / self.seconds:.0f} req/s, "
            f"p50 {self.p50_ms:.0f} ms, p99 {self.p99_ms:.0f} ms, max {self.max_ms:.0f} ms, "
            f"errors (5xx or none) {self.server_errors}, "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    base: str,
    requests: list[Request],
    *,
    connections: int,
    seconds: float,
    think_s: float,
    jitter: float = 0.5,
    timeout_s: float = 60,
) -> Result:
    """Drive ``base`` with ``connections`` clients cycling through ``requests``, each
    thinking ``think_s`` × (1 ± ``jitter``) seconds, uniformly, between an answer and its next
    request."""
    if not available():
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian's package)")
    workdir = Path(tempfile.mkdtemp(prefix="wrk-"))
    requests_file = workdir / "requests.tsv"
    requests_file.write_text(
        "".join(
            f"{r.method}\t{r.path}\t{r.header[0] if r.header else ''}\t"
            f"{r.header[1] if r.header else ''}\n"
            for r in requests
        )
    )
    script = workdir / "load.lua"
    script.write_text(
        SCRIPT
        % {
            "think_ms": round(think_s * 1000),
            "jitter": jitter,
            "connections": connections,
            "requests_file": str(requests_file),
        }
    )
    # One wrk thread: at these rates it idles, and every client shares one Lua state.
    completed = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{round(seconds)}s",
            f"--timeout={round(timeout_s)}s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_RESULT "):
            return Result(**json.loads(line.removeprefix("WRK_RESULT ")))
    raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
