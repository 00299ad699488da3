"""Infrastructure the gazette's systems share: text files, and (as they move here) the database
kit, clock, auth, audit, errors, paging, the working-day calendar and the console layout.

No system package is imported from here; each system imports what it needs from ``gzkit``.
"""
