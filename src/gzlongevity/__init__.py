"""长寿保健金管理系统: Guangzhou's longevity allowance (穗民规字〔2021〕6号), rules L1–L9 of
``shared/LONGEVITY.md``. ``core`` holds the pure rules, ``files`` the CSV readers, ``batch``
the replay of the monthly runs behind ``gzlongevity payroll``; the service (``app``, one package
per domain), its console and the demo build on them. Nothing here imports ``gzvpp``.
"""

__version__ = "0.1.0"
