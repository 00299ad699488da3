"""The pool's rules (C2–C8) as pure functions over NumPy arrays: no files, no database.

Money is integer fen (分) throughout, rounded half-up where a rule divides; dates are
``datetime64[D]``. Each function cites the rule it implements (C-number of
``shared/CREDITPOOL.md`` and 第N条 of 穗科规字〔2021〕2号).
"""
