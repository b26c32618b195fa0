"""Merging: every report of one real-world event becomes one canonical event."""
