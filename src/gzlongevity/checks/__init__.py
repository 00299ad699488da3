"""Checks (第十九条): visits, calls and data comparisons."""
