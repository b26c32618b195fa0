"""Faust agents: one per pipeline step (steps.py), and delivery to channels (deliver.py)."""
