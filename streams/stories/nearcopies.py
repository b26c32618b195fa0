"""Near-duplicate articles: MinHash signatures, LSH band keys, and the first copy of each text."""

from __future__ import annotations

import base64
import re
import zlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from streams.datelines import FIRST_LINE_DATELINE
from streams.state.codec import FirstCopy
from streams.state.expiring import ExpiringState

# 32 bands of 3 rows: a pair at the threshold (Jaccard 0.45) becomes a candidate with
# probability 1 - (1 - 0.45**3)**32 = 0.95, a pair at 0.1 with 0.03.
NUM_PERM = 96
BANDS = 32
ROWS = NUM_PERM // BANDS
# Estimated Jaccard similarity of word 3-shingles at or above which two bodies are copies of
# one text. Every edited word breaks three shingles, so a copy with a new headline, a changed
# dateline, reworded sentences and a trimmed paragraph sits at 0.45 to 0.9; two outlets' own
# reports of one event stay under 0.2 (ecbplus-dev: 106,400 of its 106,491 pairs).
THRESHOLD = 0.45
SHINGLE = 3  # words per shingle; signature() spells out its three offsets

_WORDS = re.compile(r"\w+")
# One fixed permutation set, so signatures from any worker and any restart are comparable.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=20261124)


def signature(body: str) -> list[int]:
    """The MinHash signature of a body's word 3-shingles (dateline dropped, case folded).

    crc32 rather than datasketch's default sha1: four times faster, stable across processes.
    """
    words = _WORDS.findall(FIRST_LINE_DATELINE.sub("", body, count=1).casefold())
    # zip over three offsets: twice as fast as slicing and joining a window per position.
    triples = zip(words, words[1:], words[2:], strict=False)  # shorter tails end it
    shingles = [f"{a} {b} {c}".encode() for a, b, c in triples]
    if not shingles:
        shingles = [" ".join(words).encode()]
    sketch = MinHash(
        num_perm=NUM_PERM,
        permutations=_PERMUTATIONS.permutations,
        scheme=_PERMUTATIONS.scheme,
        hashfunc=zlib.crc32,
    )
    sketch.update_batch(shingles)
    return [int(v) for v in sketch.hashvalues]


def band_keys(sig: list[int] | np.ndarray) -> list[int]:
    """LSH band keys: two signatures that share any key are candidate copies. Each is the
    band's number and a hash of its rows in one int (a key a worker holds for each band of
    each first copy in the window: an int is half the size of a string)."""
    rows = np.asarray(sig, np.uint32).reshape(BANDS, ROWS)
    return [(band << 32) | zlib.crc32(rows[band].tobytes()) for band in range(BANDS)]


def similarity(a: list[int] | np.ndarray, b: list[int] | np.ndarray) -> float:
    """The Jaccard similarity the two signatures estimate (lists, or arrays as stored)."""
    return float(np.count_nonzero(np.asarray(a, np.uint32) == np.asarray(b, np.uint32))) / len(a)


def pack(sig: list[int]) -> str:
    """A signature as stored in a table: 384 bytes in base64, not 96 JSON numbers."""
    return base64.b64encode(np.asarray(sig, np.uint32).tobytes()).decode()


def unpack(packed: str) -> np.ndarray:
    """The signature `pack` stored."""
    return np.frombuffer(base64.b64decode(packed), np.uint32)


@dataclass(frozen=True, slots=True)
class Original:
    """The first copy a later copy copies."""

    article_id: str
    story: str
    seen: float


class NearDuplicates:
    """First copies seen within a window, found again through LSH band keys.

    The persistent state holds one entry per first copy (its packed signature, story and
    time), so a worker writes one changelog record per original article. The band index and
    the unpacked signatures are derived from that state, rebuilt after a restart, and
    forgotten as entries expire.
    """

    def __init__(self, state: ExpiringState, window: float, threshold: float = THRESHOLD) -> None:
        self.state = state
        self.window = window
        self.threshold = threshold
        # band key -> the first copy holding it, or a list when several do: nearly every
        # bucket holds one copy, and a list for each would double the index's size.
        self._bands: dict[int, str | list[str]] = {}
        self._sigs: dict[str, np.ndarray] = {}
        self._expiry: deque[tuple[float, str]] = deque()

    def rebuild(self, now: float) -> None:
        """Re-create the band index from the persistent state (after recovery)."""
        self._bands.clear()
        self._sigs.clear()
        self._expiry.clear()
        live = []
        for article_id in self.state.keys():
            raw = self.state.get(article_id, now)
            if raw is not None:
                first = FirstCopy.decode(raw)
                live.append((first.seen, article_id, first.signature))
        for seen, article_id, packed in sorted(live):
            self._index(article_id, unpack(packed), seen)

    def find(self, article_id: str, sig: list[int], now: float) -> Original | None:
        """The first copy this signature copies, or None (this one is new, or the first).

        Of several stored copies above the threshold, the earliest is the first copy. A
        redelivered first copy finds itself and stays the original.
        """
        self._forget(now)
        mine = np.asarray(sig, np.uint32)
        first: Original | None = None
        for candidate in self._candidates(mine):
            if candidate == article_id:
                return None
            score = similarity(self._sigs[candidate], mine)
            if score < self.threshold:
                continue
            raw = self.state.get(candidate, now)
            if raw is None:
                continue
            copy = FirstCopy.decode(raw)
            if first is None or copy.seen < first.seen:
                first = Original(candidate, copy.story, copy.seen)
        return first

    def remember(self, article_id: str, sig: list[int], story_id: str, now: float) -> None:
        """Store a first copy so later copies within the window find it."""
        if self.state.get(article_id, now) is not None:
            return
        first = FirstCopy(pack(sig), story_id, now)
        self.state.put(article_id, first.encode(), now, self.window)
        self._index(article_id, np.asarray(sig, np.uint32), now)

    def _candidates(self, sig: np.ndarray) -> Iterable[str]:
        seen: set[str] = set()
        for key in band_keys(sig):
            bucket = self._bands.get(key)
            for candidate in (bucket,) if isinstance(bucket, str) else bucket or ():
                if candidate not in seen:
                    seen.add(candidate)
                    yield candidate

    def _index(self, article_id: str, sig: np.ndarray, seen: float) -> None:
        bands = self._bands
        for key in band_keys(sig):
            bucket = bands.get(key)
            if bucket is None:
                bands[key] = article_id
            elif isinstance(bucket, str):
                bands[key] = [bucket, article_id]
            else:
                bucket.append(article_id)
        self._sigs[article_id] = sig
        self._expiry.append((seen + self.window, article_id))

    def _forget(self, now: float) -> None:
        # Stream time is close to monotonic, so the oldest entries expire first. The index
        # forgets an entry only when its table entry has expired: in a worker that also
        # waits for the wall clock (ExpiringState), so a copy that arrives late still finds
        # its original, as it would have in published order.
        while self._expiry and self._expiry[0][0] <= now:
            if self.state.get(self._expiry[0][1], now) is not None:
                break
            _, article_id = self._expiry.popleft()
            sig = self._sigs.pop(article_id, None)
            if sig is not None:
                self._unindex(article_id, sig)

    def _unindex(self, article_id: str, sig: np.ndarray) -> None:
        bands = self._bands
        for key in band_keys(sig):
            bucket = bands.get(key)
            if bucket == article_id:
                del bands[key]
            elif isinstance(bucket, list) and article_id in bucket:
                bucket.remove(article_id)
                if len(bucket) == 1:
                    bands[key] = bucket[0]
