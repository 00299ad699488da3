"""Rule versions and district standards as configuration (L2, 第五条, L9, 第二十六条)."""
