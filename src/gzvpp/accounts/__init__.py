"""Platform users and their API tokens: list, disable, enable, revoke, issue, rotate."""
