"""Users, roles, sign-in, sessions with idle logoff, and API tokens."""
