"""长寿保健金管理系统: Guangzhou's longevity allowance (穗民规字〔2021〕6号), rules L1–L9 of
``shared/LONGEVITY.md``. ``core`` holds the pure rules, ``files`` the CSV readers, ``payroll``
the replay of the monthly runs behind ``gzlongevity payroll``. Nothing here imports ``gzvpp``.
"""
