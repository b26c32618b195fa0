"""The state stages keep: an expiring key-value interface over a Faust table or a dict, and
the typed values every table stores with the one codec that writes them (codec.py)."""
