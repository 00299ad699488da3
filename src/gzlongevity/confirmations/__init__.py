"""Confirmation of personal data and bank account (第八条, 第九条, 第十二条)."""
