"""The outbox of notices (SMS and letters): a sender (an SMS gateway, the letter service)
reads what is waiting and marks what it sent; no gateway is built in."""
