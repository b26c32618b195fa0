"""Unit tests of the quality scorers and benchmarks."""
