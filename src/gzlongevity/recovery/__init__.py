"""Recovery of overpayments and fraud (第二十条, 第二十四条)."""
