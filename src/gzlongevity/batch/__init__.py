"""``gzlongevity payroll``: the monthly runs replayed from files (``replay``: the ledger and the
runs; ``payroll``: read, replay, write)."""
