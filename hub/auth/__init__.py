"""Accounts, roles, sign-in, password reset and API tokens."""
