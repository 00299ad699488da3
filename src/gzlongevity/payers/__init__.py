"""The payers' accounts (第十三条, 第二十五条): kept by the city, read by the bank files."""
