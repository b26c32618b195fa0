"""The story clusterer: single-pass, online assignment of articles to stories, on the one
partition that sees every article."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import mul
from typing import Any

from schemas import StoryFeatures
from streams.ids import content_id
from streams.state.codec import Story
from streams.state.expiring import ExpiringState
from streams.stories.features import heaviest, rounded, top_weights

DEFAULT_WINDOW_SECONDS = 7 * 86400.0
"""How long a story stays open after its last article. Past about a week the time penalty
(at its defaults) stops any join anyway, so a longer window would only cost memory."""


@dataclass(frozen=True)
class Evidence:
    """What salient specifics add to or take from a similarity (in cosine units).

    Defaults were chosen on the odd-numbered topics of ecbplus-dev (docs/stories.md). A year
    in a report's lead that none of a story's articles mentions is near-certain evidence of
    another event (1% of same-story pairs, a third of same-topic pairs), hence the veto-sized
    weight.
    """

    year_agree: float = 0.05
    """The article and the story mention a common year."""
    year_conflict: float = 0.05
    """Both mention years, none in common."""
    lead_year_conflict: float = 0.5
    """The year in the article's lead is not among the story's years."""
    story_year_agree: float = 0.1
    """A year from the story's leads is among the article's years."""
    story_year_conflict: float = 0.05
    """The story's lead years and the article's years are disjoint."""
    date_agree: float = 0.05
    """Both name a calendar day within two days of each other."""
    date_conflict: float = 0.05
    """Both name calendar days, none within two days."""
    number_conflict: float = 0.05
    """Both state numbers, none in common (tolls, magnitudes, ages, counts)."""


def story_id_for(article_id: str) -> str:
    """A story id derived from the article that opened the story."""
    return content_id(article_id, "st-")


STORY_KEY, ARTICLE_KEY = "s:", "a:"
"""The two kinds of key in the `stories` table (streams.state.codec): a story's centroid, and
the story an article was given."""


def story_key(story_id: str) -> str:
    return STORY_KEY + story_id


def article_key(article_id: str) -> str:
    return ARTICLE_KEY + article_id


def _normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(map(mul, vector.values(), vector.values())))
    return {t: w / norm for t, w in vector.items()} if norm else {}


def _top_counts(counts: Iterable[tuple[str, int]], n: int) -> dict[str, int]:
    ranked = sorted([(-count, key) for key, count in counts])[:n]
    return {key: -count for count, key in ranked}


def _merge_counts(old: dict[str, int], new: Iterable[str], n: int) -> dict[str, int]:
    merged = dict(old)
    for key in new:
        merged[key] = merged.get(key, 0) + 1
    return _top_counts(merged.items(), n)


def _merge_weights(old: dict[str, float], new: dict[str, float], n: int) -> dict[str, float]:
    """The n heaviest of old + new (a stored centroid and an article), rounded as stored."""
    # A stored centroid is kept heaviest first, so its untouched part is one sorted run and
    # the sort only has to place the sums among it. Stored weights are rounded already and
    # rounding is idempotent: only the sums need rounding.
    ranked = [(-weight, term, False) for term, weight in old.items() if term not in new]
    ranked += [(-(old.get(term, 0.0) + weight), term, True) for term, weight in new.items()]
    ranked.sort()
    return {term: rounded(-weight, 4) if summed else -weight for weight, term, summed in ranked[:n]}


@lru_cache(maxsize=4096)
def _day_number(date: str) -> tuple[int, int | None]:
    parts = date.split("-")
    return int(parts[0]) * 31 + int(parts[1]), int(parts[2]) if len(parts) > 2 else None


def _near(a: str, b: str, days: int = 2) -> bool:
    """Two MM-DD[-YYYY] days within `days` of each other; the years must agree when both given."""
    (day_a, year_a), (day_b, year_b) = _day_number(a), _day_number(b)
    if year_a is not None and year_b is not None and year_a != year_b:
        return False
    return abs(day_a - day_b) <= days


@dataclass(slots=True)
class _Story:
    """A live story as held in memory: its stored value plus what retrieval needs.

    Updated in place when an article joins, so the postings that point at it stay valid and
    only the terms it gains or loses touch the index.
    """

    sid: str
    value: Story
    terms: dict[str, float]  # stored centroid, top terms
    names: dict[str, float]
    unit_terms: dict[str, float]  # normalised, for candidate retrieval
    unit_names: dict[str, float]
    last: float

    @classmethod
    def load(cls, sid: str, value: Story) -> _Story:
        terms, names = value.terms, value.names
        return cls(sid, value, terms, names, _normalised(terms), _normalised(names), value.last)

    def update(self, value: Story) -> None:
        self.value = value
        self.terms, self.names = value.terms, value.names
        self.unit_terms, self.unit_names = _normalised(self.terms), _normalised(self.names)
        self.last = value.last

    def keys(self) -> set[str]:
        """The terms and names it is indexed under."""
        return self.terms.keys() | self.names.keys()


@dataclass(slots=True)
class _Query:
    """What scoring needs of the article, worked out once for all its candidates."""

    terms: dict[str, float]  # unit vectors, reweighted by story frequency
    names: dict[str, float]
    years: Any  # the keys of features.years
    lead_years: set[str]
    numbers: set[str]
    dates: list[str]
    share: float = 0.0
    """The names' share in the partial cosines of retrieval."""
    summed: set[str] = field(default_factory=set)
    """The terms and names retrieval summed partial cosines over."""
    rest: float | None = None
    """The most the terms and names left out of retrieval can add to a cosine."""


class _StoryFrequency(dict[int, float]):
    """Story-frequency weights with `live` stories, by how many of them hold a term (sf):
    1 + ln((S + 1) / (sf + 1)), to the power `exponent`. Remembered until S changes."""

    def __init__(self, live: int, exponent: float) -> None:
        super().__init__()
        self.live = live
        self.exponent = exponent

    def __missing__(self, holders: int) -> float:
        weight = self[holders] = (1.0 + math.log((self.live + 1) / (holders + 1))) ** self.exponent
        return weight


class StoryClusterer:
    """Assign each article to the most similar live story, or open a new story with it.

    Single pass and online: an article is compared once, on arrival, with the stories alive
    at that moment, and its assignment never changes. A story is scored by the cosine of the
    article with the story's centroid (content terms blended with names, both reweighted by
    how few live stories share a term), plus evidence from years, dates and numbers, less a
    penalty for time since the story's last article. The best story at or above `threshold`
    takes the article.

    Persistent state goes only through `stories`: one entry per story (`story_key`: a
    bounded centroid and counts, streams.state.codec.Story, expiring `window_seconds` after
    the story's last article) and one per article (`article_key` -> story id), so a
    redelivered article returns the story it was given. The inverted index used to find
    candidates is derived and `rebuild` re-creates it from the state after a restart.
    """

    def __init__(
        self,
        stories: ExpiringState,
        window_seconds: float,
        *,
        threshold: float = 0.18,
        name_weight: float = 0.6,
        online_idf: float = 1.5,
        evidence: Evidence | None = None,
        grace_seconds: float = 86400.0,
        decay_seconds: float = 3 * 86400.0,
        time_penalty: float = 1.0,
        story_terms: int = 60,
        story_names: int = 30,
        candidates: int = 5,
        query_terms: int = 20,
        query_names: int = 20,
        max_posting: int = 64,
    ) -> None:
        """Tunables (defaults chosen on half of ecbplus-dev and the project's own fixture).

        threshold: least score that joins a story; below it the article opens a new one.
        name_weight: share of the name cosine in the blend with the content-term cosine
            (when both sides have names; otherwise terms alone decide).
        online_idf: exponent of the story-frequency factor 1 + ln((S + 1) / (sf + 1)), S live
            stories, sf of them holding the term; terms many stories share count for less.
        evidence: additive weights of years, dates and numbers agreeing or contradicting.
        grace_seconds, decay_seconds, time_penalty: past `grace_seconds` since the story's
            last article, up to `time_penalty` is taken off, approached with time constant
            `decay_seconds` (the same kind of event a week later is another story).
        story_terms, story_names: size of a story's stored centroid (bounds its memory).
        candidates: stories scored in full, the best by a cheap dot product on the index.
        query_terms, query_names: the article's strongest terms and names used to look
            candidates up.
        max_posting: a term's look-up list keeps the stories reported most recently, up to
            this many, so look-up costs the same however many stories the window holds;
            scoring and story frequencies still count every story.
        """
        self.state = stories
        self.window = window_seconds
        self.threshold = threshold
        self.name_weight = name_weight
        self.online_idf = online_idf
        self.evidence = evidence or Evidence()
        self.grace = grace_seconds
        self.decay = decay_seconds
        self.time_penalty = time_penalty
        self.story_terms = story_terms
        self.story_names = story_names
        self.candidates = candidates
        self.query_terms = query_terms
        self.query_names = query_names
        self.max_posting = max_posting
        self._clear()

    # -- the derived index --------------------------------------------------------------------

    def _clear(self) -> None:
        self._clock = -math.inf
        self._stories: dict[str, _Story] = {}
        # term -> {story id: (its unit term weight, its unit name weight)}: of the live
        # stories holding it as a term or a name, the `max_posting` most recently reported,
        # oldest first. The weights are kept in the posting so look-up reads no story.
        self._postings: dict[str, dict[str, tuple[float, float]]] = {}
        # term -> how many live stories hold it (its story frequency), however many that is.
        self._holders: dict[str, int] = {}
        self._expiry: list[tuple[float, str]] = []
        self._factor = _StoryFrequency(0, self.online_idf)

    def _index(self, story: _Story, terms: Iterable[str]) -> None:
        self._hold(terms)
        self._refresh(story, terms)

    def _hold(self, terms: Iterable[str]) -> None:
        """Count one more live story holding each of `terms`."""
        holders = self._holders
        for term in terms:
            holders[term] = holders.get(term, 0) + 1

    def _refresh(self, story: _Story, terms: Iterable[str]) -> None:
        """Make `story` the most recent entry of each term's posting, dropping the least
        recently reported story from a posting past `max_posting`: a term a thousand live
        stories share is still looked up, among the stories reported lately."""
        postings, sid, cap = self._postings, story.sid, self.max_posting
        unit_terms, unit_names = story.unit_terms, story.unit_names
        for term in terms:
            weights = (unit_terms.get(term, 0.0), unit_names.get(term, 0.0))
            posting = postings.get(term)
            if posting is None:
                postings[term] = {sid: weights}
                continue
            posting.pop(sid, None)
            posting[sid] = weights
            if len(posting) > cap:
                del posting[next(iter(posting))]

    def _unindex(self, sid: str, terms: Iterable[str]) -> None:
        holders, postings = self._holders, self._postings
        for term in terms:
            left = holders[term] - 1
            if left:
                holders[term] = left
            else:
                del holders[term]
            posting = postings.get(term)
            if posting is not None:
                posting.pop(sid, None)
                if not posting:
                    del postings[term]

    def _purge(self) -> None:
        """Forget stories whose window has passed; the heap may hold stale entries. A story
        goes only when its state entry has expired: in a worker that also waits for the
        wall clock (ExpiringState), so a late article still finds its story."""
        while self._expiry and self._expiry[0][0] <= self._clock:
            expires, sid = self._expiry[0]
            story = self._stories.get(sid)
            current = story is not None and story.last + self.window == expires
            if current and self.state.get(story_key(sid), self._clock) is not None:
                break
            heapq.heappop(self._expiry)
            if current and story is not None:
                del self._stories[sid]
                self._unindex(sid, story.keys())
                self.state.delete(story_key(sid))

    def rebuild(self, now: float) -> None:
        """Re-create the in-memory index from the persistent state (after restart or recovery)."""
        self._clear()
        self._clock = now
        for key in sorted(self.state.keys()):
            if key.startswith(STORY_KEY):
                value = self.state.get(key, now)
                if value is not None:
                    self._add(_Story.load(key.removeprefix(STORY_KEY), Story.decode(value)))

    def __len__(self) -> int:
        """Live stories."""
        return len(self._stories)

    # -- scoring ------------------------------------------------------------------------------

    def _reweighted(self, vector: dict[str, float]) -> dict[str, float]:
        """The vector with each term times its story-frequency weight, normalised."""
        if not self.online_idf:
            return _normalised({t: w * 1.0 for t, w in vector.items()})
        live = len(self._stories)
        if self._factor.live != live:
            self._factor = _StoryFrequency(live, self.online_idf)
        factor, holders = self._factor, self._holders
        return _normalised({t: w * factor[holders.get(t, 0)] for t, w in vector.items()})

    def _score(
        self, story: _Story, query: _Query, now: float, partial: float, floor: float
    ) -> float | None:
        """Similarity of the article (unit vectors, already reweighted) to one story, or None
        when it cannot reach `floor`."""
        share = self.name_weight if query.names and story.names else 0.0
        specifics = self._specifics(story.value, query)
        late = abs(now - story.last) - self.grace
        penalty = self.time_penalty * (1 - math.exp(-late / self.decay)) if late > 0 else 0.0
        # The cosine is the partial one retrieval summed plus what the terms and names it
        # left out add, at most `_rest` (Cauchy-Schwarz): a story that cannot reach the floor
        # even so is not worth the dot products. (The margin covers rounding; `_rest` is
        # only worked out when the partial cosine alone falls short.)
        known = partial + specifics - penalty + 1e-9
        if share == query.share and known < floor and known + self._rest(query) < floor:
            return None
        score = (1 - share) * _dot(query.terms, story.unit_terms)
        if share:
            score += share * _dot(query.names, story.unit_names)
        score += specifics
        if late > 0:
            score -= penalty
        return score

    def _rest(self, query: _Query) -> float:
        """The most the article's terms and names that retrieval left out can add to its
        cosine with any story: the norm of those some live story holds, as each story's unit
        vector adds at most 1 per unit of it."""
        if query.rest is None:
            held = self._holders
            terms = [query.terms[t] for t in query.terms.keys() - query.summed if t in held]
            names = [query.names[t] for t in query.names.keys() - query.summed if t in held]
            query.rest = (1 - query.share) * math.sqrt(sum(map(mul, terms, terms))) + (
                query.share * math.sqrt(sum(map(mul, names, names)))
            )
        return query.rest

    def _specifics(self, story: Story, query: _Query) -> float:
        """Evidence from years, calendar days and numbers that agree or contradict."""
        weights = self.evidence
        score = 0.0
        years = query.years
        story_years = story.years.keys()
        if years and story_years:
            score += weights.year_agree if years & story_years else -weights.year_conflict
        lead = query.lead_years
        if lead and story_years and not lead & story_years:
            score -= weights.lead_year_conflict
        story_leads = story.lead_years.keys()
        if story_leads and years:
            agree = bool(story_leads & years)
            score += weights.story_year_agree if agree else -weights.story_year_conflict
        if query.dates and story.dates:
            near = any(_near(a, b) for a in query.dates for b in story.dates)
            score += weights.date_agree if near else -weights.date_conflict
        numbers = query.numbers
        if numbers and story.numbers and not numbers & story.numbers.keys():
            score -= weights.number_conflict
        return score

    def _candidates(self, query: _Query) -> list[tuple[str, float]]:
        """The stories worth scoring in full, with their partial cosines: the best over the
        inverted index. Sets `query.share` and `query.summed`."""
        terms, names = query.terms, query.names
        strongest = [term for _, term in heaviest(terms, self.query_terms)]
        strongest += [name for _, name in heaviest(names, self.query_names)]
        # In term order: each story's partial cosine is summed in the same order whatever
        # the order of the postings.
        looked_up = sorted(set(strongest))
        share = query.share = self.name_weight if names else 0.0
        summed: set[str] = set()
        totals: dict[str, float] = {}
        get = totals.get
        holders = self._holders
        for term in looked_up:
            posting = self._postings.get(term)
            if not posting:
                continue
            if len(posting) == holders[term]:
                # Every story holding it got its share: `_rest` need not count it. (From a
                # cut posting, the stories left out may hold it too, so it stays in `_rest`.)
                summed.add(term)
            term_weight = (1 - share) * terms.get(term, 0.0)
            name_weight = share * names.get(term, 0.0)
            # A story's gain is term_weight * its unit term weight + name_weight * its unit
            # name weight. When one side's weight is zero, that product is +0.0 and adding it
            # changes nothing (the gains are never negative), so it is not looked up.
            if not name_weight:
                for sid, (unit_term, _) in posting.items():
                    totals[sid] = get(sid, 0.0) + term_weight * unit_term
            elif not term_weight:
                for sid, (_, unit_name) in posting.items():
                    totals[sid] = get(sid, 0.0) + name_weight * unit_name
            else:
                for sid, (unit_term, unit_name) in posting.items():
                    gain = term_weight * unit_term
                    gain += name_weight * unit_name
                    totals[sid] = get(sid, 0.0) + gain
        ranked = heaviest(totals, self.candidates)
        query.summed = summed
        return [(sid, -total) for total, sid in ranked]

    # -- assignment ---------------------------------------------------------------------------

    def assign(self, article_id: str, features: StoryFeatures, now: float) -> str:
        """The story of this article: the best-matching live story, or a new one it opens."""
        self._clock = max(self._clock, now)
        self._purge()
        known = self.state.get(article_key(article_id), self._clock)
        if known is not None:
            return str(known)
        own = story_id_for(article_id)
        if own in self._stories:
            return own  # a redelivered founder whose own entry expired before its story
        terms = _normalised(features.terms)
        names = _normalised(features.entities)
        # Terms many live stories share say little about which one this is: the article's
        # side is reweighted by story frequency (the stored centroids stay as they are, so
        # their norms need no recomputation when other stories come and go).
        query = _Query(
            self._reweighted(terms),
            self._reweighted(names),
            features.years.keys(),
            set(features.lead_years),
            set(features.numbers),
            features.dates,
        )
        best: tuple[float, str] | None = None
        for sid, partial in self._candidates(query):
            # Only a score at or above the threshold, and above the best so far, can matter.
            floor = self.threshold if best is None else max(self.threshold, best[0])
            score = self._score(self._stories[sid], query, now, partial, floor)
            if score is not None and (best is None or score > best[0]):
                best = (score, sid)
        if best is not None and best[0] >= self.threshold:
            sid = best[1]
            self._store(sid, self._grown(self._stories[sid], terms, names, features, now))
        else:
            sid = own
            self._store(sid, self._opened(terms, names, features, now))
        self.state.put(article_key(article_id), sid, now, self.window)
        return sid

    def _opened(
        self, terms: dict[str, float], names: dict[str, float], features: StoryFeatures, now: float
    ) -> Story:
        return Story(
            terms=top_weights(terms, self.story_terms, digits=4),
            names=top_weights(names, self.story_names, digits=4),
            years=_top_counts(features.years.items(), 8),
            lead_years=_top_counts(((y, 1) for y in features.lead_years), 4),
            numbers=_top_counts(((n, 1) for n in features.numbers), 16),
            dates=_top_counts(((d, 1) for d in features.dates), 8),
            articles=1,
            first=now,
            last=now,
        )

    def _grown(
        self,
        story: _Story,
        terms: dict[str, float],
        names: dict[str, float],
        features: StoryFeatures,
        now: float,
    ) -> Story:
        old = story.value
        years = dict(old.years)
        for year, count in features.years.items():
            years[year] = years.get(year, 0) + count
        return Story(
            terms=_merge_weights(old.terms, terms, self.story_terms),
            names=_merge_weights(old.names, names, self.story_names),
            years=_top_counts(years.items(), 8),
            lead_years=_merge_counts(old.lead_years, features.lead_years, 4),
            numbers=_merge_counts(old.numbers, features.numbers, 16),
            dates=_merge_counts(old.dates, features.dates, 8),
            articles=old.articles + 1,
            first=min(old.first, now),
            last=max(old.last, now),
        )

    def _store(self, sid: str, value: Story) -> None:
        # Expiry counts from the story's last article, so the entry lives as long as it does.
        self.state.put(story_key(sid), value.encode(), value.last, self.window)
        story = self._stories.get(sid)
        if story is None:
            self._add(_Story.load(sid, value))
            return
        before = story.keys()
        story.update(value)
        after = story.keys()
        self._unindex(sid, before - after)
        self._hold(after - before)
        self._refresh(story, after)  # reported now: the most recent in all its postings
        heapq.heappush(self._expiry, (story.last + self.window, sid))

    def _add(self, story: _Story) -> None:
        self._stories[story.sid] = story
        self._index(story, story.keys())
        heapq.heappush(self._expiry, (story.last + self.window, story.sid))


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    # In a's order, as a generator over a.items() would add them; map keeps it in C.
    return sum(map(mul, a.values(), map(b.get, a, repeat(0.0))))
