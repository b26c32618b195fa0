"""Unit tests of the alert channels (no I/O)."""
