"""The files of ``gzlongevity payroll``: register, confirmations, standards in; payments out."""
