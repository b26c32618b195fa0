"""Sentence-level extraction in plain Python: event classes, entities, figures and dates."""
