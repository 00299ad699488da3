"""Changes of personal data and bank accounts (第十六条)."""
