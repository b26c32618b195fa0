"""Story clustering: single-pass, online assignment of articles to stories over compact features."""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from pydantic import StringConstraints

from schemas import Article
from schemas.base import Payload
from streams.stages.state import ExpiringState

# --- features: computed per article upstream, where work runs partition-parallel ---------------

MAX_TERMS = 40
"""Content terms kept per article (the highest tf-idf)."""
MAX_NAMES = 20
"""Proper-noun terms kept per article."""
MAX_NUMBERS = 12
MAX_YEARS = 6
MAX_LEAD_YEARS = 3
MAX_DATES = 6
LEAD_WORDS = 30
"""Words of title and first sentence that say what happened; they count LEAD_WEIGHT times."""
LEAD_WEIGHT = 3.0
FREQ_FLOOR = 1e-8
"""Frequency given to words the background list does not know (names, rare words)."""
FOLD_FREQ = 1e-6
"""A plural folds onto its singular only when the singular is at least this common."""
RARE_NAME_FREQ = 1e-4
"""A word capitalised only at sentence starts or in headlines is a name below this frequency."""

_TOKEN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*|[.!?]+")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs "
    "fri sat sun".split()
)
_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told according new one two three four five six seven
    eight nine ten first last year years week day days time times today yesterday tomorrow
    mr mrs ms dr get got may might must shall us don didn doesn isn wasn weren won wouldn
    couldn shouldn ve ll re pm et gmt utc edt est pst bst cet local morning afternoon evening
    night tonight""".split()
)
_NOT_NAMES = _STOP | _WEEKDAYS | frozenset(_MONTHS)
# Words whose final s is not a plural ending, or whose 'singular' means something else.
_NOT_PLURAL = frozenset(
    "news series species means politics economics physics olympics athletics lens gas bus "
    "chaos arms sales".split()
)


Year = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
Day = Annotated[str, StringConstraints(pattern=r"^\d{2}-\d{2}(-\d{4})?$")]


class StoryFeatures(Payload):
    """What the story stage compares about one article: compact JSON, computed before it."""

    terms: dict[str, float]
    """Top content terms (lower case, plurals folded) -> (1 + ln tf) x background IDF."""
    entities: dict[str, float]
    """Proper-noun terms (people, places, organisations) -> weight as for terms."""
    numbers: list[str]
    """Numbers the text states (two digits or more, not years), most frequent first."""
    years: dict[Year, int]
    """Years mentioned (1900-2099) -> count, lead mentions counted twice."""
    lead_years: list[Year]
    """Years in the title, dateline or first sentence: the year the report is about."""
    dates: list[Day]
    """Calendar days named in the text, MM-DD, or MM-DD-YYYY when the year is attached."""
    published: float | None
    """Publication time, epoch seconds (the caller's choice of stream time)."""


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    # English word frequencies shipped inside the wordfreq wheel (nothing fetched at run
    # time): an IDF that works from the first article, before any online statistics exist.
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="large")


def _idf(word: str) -> float:
    return -math.log(max(_frequencies().get(word, 0.0), FREQ_FLOOR))


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Fold an English plural onto its singular when that singular is itself a common word."""
    if word in _NOT_PLURAL:
        return word
    if len(word) > 4 and word.endswith("ies"):
        singular = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        singular = word[:-1]
    else:
        return word
    # 'texas' is not the plural of 'texa': fold only onto a word English knows well.
    return singular if _frequencies().get(singular, 0.0) >= FOLD_FREQ else word


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    lower: str
    word: bool
    initial: bool  # first word of a sentence or line
    lead: bool
    headline: bool  # on a title-case line, where capitals say nothing about names


def _tokens(article: Article) -> list[_Token]:
    tokens: list[_Token] = []
    words_seen = 0
    lines = (
        [article.title, *article.body.split("\n")] if article.title else article.body.split("\n")
    )
    for line in lines:
        raw = _TOKEN.findall(line)
        long_words = [t for t in raw if t[0].isalpha() and len(t) > 3]
        capitals = sum(1 for t in long_words if t[0].isupper())
        headline = len(long_words) >= 3 and capitals >= 0.7 * len(long_words)
        initial = True
        for text in raw:
            if text[0] in ".!?":
                initial = True
                continue
            word = text[0].isalpha()
            tokens.append(
                _Token(text, text.lower(), word, initial, words_seen < LEAD_WORDS, headline)
            )
            if word:
                words_seen += 1
                initial = False
    return tokens


def _name_forms(tokens: list[_Token]) -> set[str]:
    """Lower-case forms the text treats as names.

    A word capitalised inside a sentence (off title-case lines) is a name. One capitalised
    only where every word may be (sentence starts, headlines) counts when the text never
    writes it in lower case and English seldom uses it, so 'Qeshm' in a headline is a name
    and 'Thankfully' at a sentence start is not.
    """
    inside: set[str] = set()
    edge: set[str] = set()
    lower: set[str] = set()
    for token in tokens:
        if not token.word:
            continue
        if not token.text[0].isupper():
            lower.add(token.lower)
        elif token.initial or token.headline:
            edge.add(token.lower)
        else:
            inside.add(token.lower)
    rare = {w for w in edge - lower if _frequencies().get(w, 0.0) < RARE_NAME_FREQ}
    return {w for w in inside | rare if len(w) > 1 and w not in _NOT_NAMES}


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2099


def _is_day(token: _Token) -> bool:
    return not token.word and token.text.isdigit() and 1 <= int(token.text) <= 31


def _dates(tokens: list[_Token]) -> list[str]:
    """Calendar days written as 'May 3, 2013', '3 May 2013', 'Dec. 14' or '14 December'."""
    found: Counter[str] = Counter()
    for i, token in enumerate(tokens):
        month = _MONTHS.get(token.lower) if token.word else None
        if month is None:
            continue
        after = tokens[i + 1 : i + 3]
        if after and _is_day(after[0]):
            day, rest = int(after[0].text), after[1:]
        elif i > 0 and _is_day(tokens[i - 1]):
            day, rest = int(tokens[i - 1].text), after
        else:
            continue
        year = rest[0].text if rest and not rest[0].word and _is_year(rest[0].text) else None
        found[f"{month:02d}-{day:02d}" + (f"-{year}" if year else "")] += 1
    return [date for date, _ in found.most_common(MAX_DATES)]


def _top_weights(weights: dict[str, float], n: int, digits: int = 3) -> dict[str, float]:
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {term: round(weight, digits) for term, weight in ranked}


def story_features(article: Article) -> StoryFeatures:
    """The compact features the story stage compares, from one article's title and body."""
    tokens = _tokens(article)
    names = _name_forms(tokens)
    # The outlet's own name ('SEOUL (Harbor Wire) -') says nothing about the story.
    outlet = {word.lower() for word in _TOKEN.findall(article.source)}
    tf: dict[str, float] = {}
    name_tf: dict[str, float] = {}
    idf: dict[str, float] = {}
    numbers: Counter[str] = Counter()
    years: Counter[str] = Counter()
    lead_years: Counter[str] = Counter()
    for token in tokens:
        if not token.word:
            if _is_year(token.text):
                years[token.text] += 2 if token.lead else 1
                if token.lead:
                    lead_years[token.text] += 1
            elif len(token.text) >= 2 and not token.text.startswith("0"):
                # One-digit counts are everywhere; '08' and '09' are clock times and dates.
                numbers[token.text.replace(",", "")] += 1
            continue
        if len(token.lower) < 3 or token.lower in _NOT_NAMES or token.lower in outlet:
            continue
        # Names keep their s: Abbas is not the plural of ABBA.
        term = token.lower if token.lower in names else _fold(token.lower)
        weight = LEAD_WEIGHT if token.lead else 1.0
        tf[term] = tf.get(term, 0.0) + weight
        idf[term] = max(idf.get(term, 0.0), _idf(token.lower))
        if token.lower in names and token.text[0].isupper():
            name_tf[term] = name_tf.get(term, 0.0) + weight
    return StoryFeatures(
        terms=_top_weights({t: (1 + math.log(n)) * idf[t] for t, n in tf.items()}, MAX_TERMS),
        entities=_top_weights(
            {t: (1 + math.log(n)) * idf[t] for t, n in name_tf.items()}, MAX_NAMES
        ),
        numbers=[n for n, _ in numbers.most_common(MAX_NUMBERS)],
        years=dict(years.most_common(MAX_YEARS)),
        lead_years=[y for y, _ in lead_years.most_common(MAX_LEAD_YEARS)],
        dates=_dates(tokens),
        published=article.published_at.timestamp() if article.published_at else None,
    )


# --- the clusterer: one partition with the global view ------------------------------------------

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
    return "st-" + hashlib.sha1(article_id.encode(), usedforsecurity=False).hexdigest()[:16]


def _normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm else {}


def _top_counts(counts: Iterable[tuple[str, int]], n: int) -> dict[str, int]:
    ranked = sorted(counts, key=lambda kv: (-kv[1], kv[0]))[:n]
    return dict(ranked)


def _merge_counts(old: dict[str, int], new: Iterable[str], n: int) -> dict[str, int]:
    merged = Counter(old)
    merged.update(new)
    return _top_counts(merged.items(), n)


def _merge_weights(old: dict[str, float], new: dict[str, float], n: int) -> dict[str, float]:
    merged = dict(old)
    for term, weight in new.items():
        merged[term] = merged.get(term, 0.0) + weight
    return _top_weights(merged, n, digits=4)


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
    """A live story as held in memory: its stored value plus what retrieval needs."""

    sid: str
    value: dict[str, Any]
    terms: dict[str, float]  # stored centroid, top terms
    names: dict[str, float]
    unit_terms: dict[str, float]  # normalised, for candidate retrieval
    unit_names: dict[str, float]
    last: float

    @classmethod
    def load(cls, sid: str, value: dict[str, Any]) -> _Story:
        terms, names = value["t"], value["e"]
        return cls(sid, value, terms, names, _normalised(terms), _normalised(names), value["l"])


class StoryClusterer:
    """Assign each article to the most similar live story, or open a new story with it.

    Single pass and online: an article is compared once, on arrival, with the stories alive
    at that moment, and its assignment never changes. A story is scored by the cosine of the
    article with the story's centroid (content terms blended with names, both reweighted by
    how few live stories share a term), plus evidence from years, dates and numbers, less a
    penalty for time since the story's last article. The best story at or above `threshold`
    takes the article.

    Persistent state goes only through `stories`: one entry per story ("s:" + story id: a
    bounded centroid and counts, expiring `window_seconds` after the story's last article)
    and one per article ("a:" + article id -> story id), so a redelivered article returns
    the story it was given. The inverted index used to find candidates is derived and
    `rebuild` re-creates it from the state after a restart.
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
        max_posting: int = 2000,
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
        query_terms: the article's strongest terms used to look candidates up.
        max_posting: terms held by more live stories are not used for look-up (they would
            cost most and tell least); scoring still counts them.
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
        self.max_posting = max_posting
        self._clear()

    # -- the derived index --------------------------------------------------------------------

    def _clear(self) -> None:
        self._clock = -math.inf
        self._stories: dict[str, _Story] = {}
        self._postings: dict[str, set[str]] = {}
        self._expiry: list[tuple[float, str]] = []

    def _index(self, story: _Story) -> None:
        self._stories[story.sid] = story
        for term in story.terms.keys() | story.names.keys():
            self._postings.setdefault(term, set()).add(story.sid)
        heapq.heappush(self._expiry, (story.last + self.window, story.sid))

    def _unindex(self, sid: str) -> None:
        story = self._stories.pop(sid)
        for term in story.terms.keys() | story.names.keys():
            posting = self._postings[term]
            posting.discard(sid)
            if not posting:
                del self._postings[term]

    def _purge(self) -> None:
        """Forget stories whose window has passed; the heap may hold stale entries."""
        while self._expiry and self._expiry[0][0] <= self._clock:
            expires, sid = heapq.heappop(self._expiry)
            story = self._stories.get(sid)
            if story is not None and story.last + self.window == expires:
                self._unindex(sid)
                self.state.delete("s:" + sid)

    def rebuild(self, now: float) -> None:
        """Re-create the in-memory index from the persistent state (after restart or recovery)."""
        self._clear()
        self._clock = now
        for key in sorted(self.state.keys()):
            if key.startswith("s:"):
                value = self.state.get(key, now)
                if value is not None:
                    self._index(_Story.load(key[2:], value))

    def __len__(self) -> int:
        """Live stories."""
        return len(self._stories)

    # -- scoring ------------------------------------------------------------------------------

    def _factor(self, term: str) -> float:
        """Story-frequency weight: 1 + ln((S + 1) / (sf + 1)), to the power `online_idf`."""
        if not self.online_idf:
            return 1.0
        shared = len(self._postings.get(term, ())) + 1
        return (1.0 + math.log((len(self._stories) + 1) / shared)) ** self.online_idf

    def _score(
        self,
        story: _Story,
        terms: dict[str, float],
        names: dict[str, float],
        features: StoryFeatures,
        now: float,
    ) -> float:
        """Similarity of the article (unit vectors, already reweighted) to one story."""
        share = self.name_weight if names and story.names else 0.0
        score = (1 - share) * _dot(terms, story.unit_terms)
        if share:
            score += share * _dot(names, story.unit_names)
        score += self._specifics(story.value, features)
        late = abs(now - story.last) - self.grace
        if late > 0:
            score -= self.time_penalty * (1 - math.exp(-late / self.decay))
        return score

    def _specifics(self, value: dict[str, Any], features: StoryFeatures) -> float:
        """Evidence from years, calendar days and numbers that agree or contradict."""
        weights = self.evidence
        score = 0.0
        years = features.years.keys()
        story_years = value["y"].keys()
        if years and story_years:
            score += weights.year_agree if years & story_years else -weights.year_conflict
        lead = set(features.lead_years)
        if lead and story_years and not lead & story_years:
            score -= weights.lead_year_conflict
        story_leads = value["r"].keys()
        if story_leads and years:
            agree = bool(story_leads & years)
            score += weights.story_year_agree if agree else -weights.story_year_conflict
        if features.dates and value["d"]:
            near = any(_near(a, b) for a in features.dates for b in value["d"])
            score += weights.date_agree if near else -weights.date_conflict
        numbers = set(features.numbers)
        if numbers and value["n"] and not numbers & value["n"].keys():
            score -= weights.number_conflict
        return score

    def _candidates(self, terms: dict[str, float], names: dict[str, float]) -> list[str]:
        """The stories worth scoring in full: best partial cosines over the inverted index."""
        strongest = sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[: self.query_terms]
        query = sorted({term for term, _ in strongest} | names.keys())
        share = self.name_weight if names else 0.0
        totals: dict[str, float] = {}
        for term in query:
            posting = self._postings.get(term)
            if not posting or len(posting) > self.max_posting:
                continue
            term_weight = (1 - share) * terms.get(term, 0.0)
            name_weight = share * names.get(term, 0.0)
            for sid in posting:
                story = self._stories[sid]
                gain = term_weight * story.unit_terms.get(term, 0.0)
                gain += name_weight * story.unit_names.get(term, 0.0)
                totals[sid] = totals.get(sid, 0.0) + gain
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        return [sid for sid, _ in ranked[: self.candidates]]

    # -- assignment ---------------------------------------------------------------------------

    def assign(self, article_id: str, features: StoryFeatures, now: float) -> str:
        """The story of this article: the best-matching live story, or a new one it opens."""
        self._clock = max(self._clock, now)
        self._purge()
        known = self.state.get("a:" + article_id, self._clock)
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
        query_terms = _normalised({t: w * self._factor(t) for t, w in terms.items()})
        query_names = _normalised({t: w * self._factor(t) for t, w in names.items()})
        best: tuple[float, str] | None = None
        for sid in self._candidates(query_terms, query_names):
            story = self._stories[sid]
            score = self._score(story, query_terms, query_names, features, now)
            if best is None or score > best[0]:
                best = (score, sid)
        if best is not None and best[0] >= self.threshold:
            sid = best[1]
            self._store(sid, self._grown(self._stories[sid], terms, names, features, now))
        else:
            sid = own
            self._store(sid, self._opened(terms, names, features, now))
        self.state.put("a:" + article_id, sid, now, self.window)
        return sid

    def _opened(
        self, terms: dict[str, float], names: dict[str, float], features: StoryFeatures, now: float
    ) -> dict[str, Any]:
        return {
            "t": _top_weights(terms, self.story_terms, digits=4),
            "e": _top_weights(names, self.story_names, digits=4),
            "y": _top_counts(features.years.items(), 8),
            "r": _top_counts(((y, 1) for y in features.lead_years), 4),
            "n": _top_counts(((n, 1) for n in features.numbers), 16),
            "d": _top_counts(((d, 1) for d in features.dates), 8),
            "c": 1,
            "f": now,
            "l": now,
        }

    def _grown(
        self,
        story: _Story,
        terms: dict[str, float],
        names: dict[str, float],
        features: StoryFeatures,
        now: float,
    ) -> dict[str, Any]:
        old = story.value
        years = Counter(old["y"])
        years.update(features.years)
        return {
            "t": _merge_weights(old["t"], terms, self.story_terms),
            "e": _merge_weights(old["e"], names, self.story_names),
            "y": _top_counts(years.items(), 8),
            "r": _merge_counts(old["r"], features.lead_years, 4),
            "n": _merge_counts(old["n"], features.numbers, 16),
            "d": _merge_counts(old["d"], features.dates, 8),
            "c": old["c"] + 1,
            "f": min(old["f"], now),
            "l": max(old["l"], now),
        }

    def _store(self, sid: str, value: dict[str, Any]) -> None:
        if sid in self._stories:
            self._unindex(sid)
        # Expiry counts from the story's last article, so the entry lives as long as it does.
        self.state.put("s:" + sid, value, value["l"], self.window)
        self._index(_Story.load(sid, value))


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())
