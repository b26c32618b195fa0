"""Content ids: the first 16 hex digits of a SHA-1 of what identifies a thing, with a prefix.

The same input gives the same id on every worker, after every restart and in replay, so a
redelivered or replayed record lands on the id it had. Ids are in stored state and on the
topics, so they must not change between versions (tests/unit/test_ids.py pins them).
"""

from __future__ import annotations

import hashlib


def content_id(text: str, prefix: str = "") -> str:
    """`prefix` and the first 16 hex digits of the SHA-1 of `text` (an id, not a secret)."""
    return prefix + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]
