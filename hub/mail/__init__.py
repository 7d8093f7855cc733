"""Email: every message is written to the outbox table, then sent by SMTP when a server is configured."""
