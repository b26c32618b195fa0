"""geoevents: real-time geopolitical event extraction, merging and alerting on Kafka."""

__version__ = "0.1.0"
