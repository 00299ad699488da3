"""``gzvpp evaluate``: the batch settlement over exported files, in one process (:mod:`.run`)
or partitioned over a Dask cluster (:mod:`.cluster`), and its printed summary (:mod:`.summary`).
"""
