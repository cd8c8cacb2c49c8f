"""Scheduling: availability, free slots, bookings, invites and calendar feeds (DESIGN.md section 6)."""
