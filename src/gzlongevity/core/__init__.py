"""The longevity allowance's rules as pure functions over NumPy arrays: no files, no database.

Dates are ``int32`` day numbers (days since 1970-01-01); months are ``int32`` month numbers
(``year * 12 + month - 1``); money is integer fen (分), formatted as Decimal at the edge.
"""
