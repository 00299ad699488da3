"""Meter data: 15-minute loads per account and the city system load (第九条: 采集周期 15 分钟)."""
