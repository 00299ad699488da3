"""Background jobs (后台任务): the evaluation a meter upload asks for, queued with the data."""
