"""Shared service infrastructure: database, clock, auth, audit, errors, paging and sorting.

Every domain package (``participants``, and later ``events``, ``meterdata``, ``settlement``) builds
on these; none of them reaches into another domain's repository.
"""
