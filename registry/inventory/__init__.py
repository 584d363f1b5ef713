"""Stored inventory after an eviction (art. 556 lid 3 Rv): storage, pickups, the municipal
contact a pickup triggers, the statutory periods and what becomes of uncollected goods."""
