"""JSON API v1 for referring systems and automation (shared/DESIGN.md section 9)."""
