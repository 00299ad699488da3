"""Settlement: award results, standings and the quarterly report (第九条 (四), 第十条)."""
