"""``gzvpp demo``: a summer of Guangzhou's virtual power plant, end to end, through the service.

Also home of the synthetic city it is built from (:mod:`.synthetic`), which the benchmarks and
tests draw on too, e.g. for the input files of ``gzvpp evaluate`` (:mod:`.scenario`).
"""
