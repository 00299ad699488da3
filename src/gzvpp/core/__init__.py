"""The rules engine of 《广州市虚拟电厂实施细则》: pure, typed functions over NumPy arrays.

Nothing in this package touches files, databases or HTTP. The CLI, the service and the demo
all call it, so each rule (R1–R7 of ``shared/RULES.md``) lives here once.
"""
