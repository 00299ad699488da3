"""The monthly run (第十三条, L5): computed by the rules engine of ``gzlongevity payroll``
from what the database holds, reviewed, approved, paid through the bank file."""
