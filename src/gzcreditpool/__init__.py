"""科技信贷风险损失补偿资金池 — the Guangzhou tech-SME credit risk compensation pool.

穗科规字〔2021〕2号; the rules as read in ``shared/CREDITPOOL.md`` (C1–C10). The pure rules live
in :mod:`gzcreditpool.core`, the file readers and writer in :mod:`gzcreditpool.files`, the
commands in :mod:`gzcreditpool.cli`; the service (:mod:`gzcreditpool.app`) keeps its domains in
``banks``, ``enterprises``, ``loans``, ``claims``, ``recoveries``, ``fees`` and ``sanctions`` and
decides through the same rules (:mod:`gzcreditpool.ledger`), its console in
:mod:`gzcreditpool.console`, the demo in :mod:`gzcreditpool.demo`. Nothing here imports
``gzvpp``; shared pieces come from ``gzkit``.
"""

__version__ = "0.1.0"
