"""Periodic jobs: a declarative list run by one scheduler process (plus a lock per run)."""
