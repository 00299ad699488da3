"""告警: what needs a dispatcher's attention now, in one list (issue #10 §5).

Non-responders in an event in progress (第八条), ended events lacking meter data for their
evaluation (第九条), deadlines about to pass (申报截止 with a shortfall, 出清, 执行计划下发) and
participants suspended for the month (R6). ``service`` words them; ``repository`` finds them.
"""
