"""What a deployment's machinery asks of each server process: liveness (``/healthz``),
readiness (``/readyz``) and metrics (``/metrics``); see docs/deployment.md."""
