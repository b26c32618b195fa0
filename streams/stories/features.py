"""Story features: what the story step compares about one article, computed upstream where
work runs partition-parallel (title and body terms, names, numbers, years and dates)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from schemas import Article, StoryFeatures
from streams.calendar import MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS

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
_NOT_NAMES = _STOP | frozenset(WEEKDAYS) | frozenset(WEEKDAY_ABBREVIATIONS) | frozenset(MONTHS)
# Words whose final s is not a plural ending, or whose 'singular' means something else.
_NOT_PLURAL = frozenset(
    "news series species means politics economics physics olympics athletics lens gas bus "
    "chaos arms sales".split()
)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    # English word frequencies shipped inside the wordfreq wheel (nothing fetched at run
    # time): an IDF that works from the first article, before any online statistics exist.
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="large")


def _idf(frequency: float) -> float:
    return -math.log(max(frequency, FREQ_FLOOR))


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


_Spelling = tuple[str, int, bool, str | None, float, bool]
"""What a written form of a word implies whatever the article: its lower case, its month
(0 if none), whether it is capitalised, its folded term (None if it never counts: too short,
a stop word, a weekday or a month), the IDF of its lower case, and whether English uses that
lower case commonly."""


@lru_cache(maxsize=200_000)
def _spelling(text: str) -> _Spelling:
    # A stream keeps reusing the same words: this is worked out once per spelling, not once
    # per token of every article (the bound keeps a long run's memory flat).
    lower = text.lower()
    frequency = _frequencies().get(lower, 0.0)
    counted = len(lower) >= 3 and lower not in _NOT_NAMES
    return (
        lower,
        MONTHS.get(lower, 0),
        text[0].isupper(),
        _fold(lower) if counted else None,
        # A term's IDF is the largest of its spellings', from 0.0 up (so -0.0 becomes 0.0).
        max(0.0, _idf(frequency)),
        frequency >= RARE_NAME_FREQ,
    )


@lru_cache(maxsize=1024)
def _outlet(source: str) -> frozenset[str]:
    """The outlet's own name ('SEOUL (Harbor Wire) -') says nothing about the story."""
    return frozenset(word.lower() for word in _TOKEN.findall(source))


# The tokens of _TOKEN, grouped so that one findall also says what each is: a letter run
# fills the first slot, a number the second, and a run of sentence punctuation neither.
_TOKEN_KINDS = re.compile(r"([^\W\d_]+)|(\d+(?:[.,]\d+)*)|[.!?]+")


@dataclass(slots=True)
class _Scan:
    """One pass over an article's tokens: what the features need of their order."""

    words: list[str]
    """Word tokens (starting with a letter), in text order."""
    edge: list[str]
    """The words written where any word may be capitalised: first of a sentence or line, or
    on a title-case line (one entry per occurrence)."""
    others: list[tuple[str, int]]
    """The other tokens (numbers, mostly), each with the count of words before it."""


def _scan(article: Article) -> _Scan:
    """The article's words, in order, with where they stand; its other tokens."""
    scan = _Scan([], [], [])
    words, edge = scan.words, scan.edge
    lines = (
        [article.title, *article.body.split("\n")] if article.title else article.body.split("\n")
    )
    for line in lines:
        line_words, line_edge = len(words), len(edge)
        initial = True  # at the start of a line or a sentence
        # No token spans whitespace, so the line's tokens are its chunks' tokens. Most
        # chunks are a plain word, or a word and a mark ('said.', 'Tuesday,'), or a lone
        # mark: those need no regex.
        for chunk in line.split():
            if chunk.isalpha():
                words.append(chunk)
                if initial:
                    edge.append(chunk)
                    initial = False
                continue
            head, mark = chunk[:-1], chunk[-1]
            if mark in ".!?,;:" and head.isalpha():
                words.append(head)
                if initial:
                    edge.append(head)
                initial = mark in ".!?"
            elif head or mark.isalnum():
                initial = _scan_chunk(chunk, initial, scan)
            elif mark in ".!?":
                initial = True
        if len(words) - line_words >= 3 and _title_case(words[line_words:]):
            # Capitals say nothing anywhere on a title-case line.
            edge[line_edge:] = words[line_words:]
    return scan


def _scan_chunk(chunk: str, initial: bool, scan: _Scan) -> bool:
    """Add the tokens of one chunk to the scan; whether the next word starts a sentence."""
    for letters, number in _TOKEN_KINDS.findall(chunk):
        if letters and letters[0].isalpha():
            scan.words.append(letters)
            if initial:
                scan.edge.append(letters)
                initial = False
        elif letters or number:
            # Numbers, and letters that do not start with a letter ('½').
            scan.others.append((letters or number, len(scan.words)))
        else:
            initial = True
    return initial


def _title_case(words: list[str]) -> bool:
    """A line of title-case words, judged by its words of more than three letters."""
    firsts = [word[0] for word in words if len(word) > 3]
    return len(firsts) >= 3 and sum(map(str.isupper, firsts)) >= 0.7 * len(firsts)


# isdecimal, not isdigit: superscripts such as "²" are digits that int() refuses.
def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdecimal() and 1900 <= int(text) <= 2099


def _is_day(text: str, word: bool) -> bool:
    return not word and text.isdecimal() and 1 <= int(text) <= 31


def _dates(scan: _Scan, months: list[int]) -> list[str]:
    """Calendar days written as 'May 3, 2013', '3 May 2013', 'Dec. 14' or '14 December'.

    `months` are the indices in `scan.words` of month names, in text order. Their neighbours
    are the tokens next to them in the text (punctuation aside), words or not.
    """
    words = scan.words
    gaps: dict[int, list[tuple[str, bool]]] = {}  # words before them -> other tokens
    for text, position in scan.others:
        gaps.setdefault(position, []).append((text, False))

    def following(i: int) -> list[tuple[str, bool]]:
        tokens: list[tuple[str, bool]] = []
        for k in range(i + 1, min(i + 3, len(words)) + 1):
            tokens.extend(gaps.get(k, ()))
            if k < len(words):
                tokens.append((words[k], True))
        return tokens[:2]

    found: Counter[str] = Counter()
    for i in months:
        month = MONTHS[words[i].lower()]
        after = following(i)
        gap = gaps.get(i)
        before = gap[-1] if gap else (words[i - 1], True) if i > 0 else None
        if after and _is_day(*after[0]):
            day, rest = int(after[0][0]), after[1:]
        elif before is not None and _is_day(*before):
            day, rest = int(before[0]), after
        else:
            continue
        year = rest[0][0] if rest and not rest[0][1] and _is_year(rest[0][0]) else None
        found[f"{month:02d}-{day:02d}" + (f"-{year}" if year else "")] += 1
    return [date for date, _ in found.most_common(MAX_DATES)]


def heaviest(weights: dict[str, float], n: int) -> list[tuple[float, str]]:
    """The n heaviest as (-weight, key): heaviest first, ties by key."""
    if n <= 0:
        return []
    if len(weights) > n:
        # The n-th largest weight bounds the ranking, and sorting bare floats is far cheaper
        # than sorting (weight, key) pairs: only the few at or above it are ranked fully.
        cut = sorted(weights.values(), reverse=True)[n - 1]
        ranked = [(-weight, key) for key, weight in weights.items() if weight >= cut]
    else:
        ranked = [(-weight, key) for key, weight in weights.items()]
    ranked.sort()
    return ranked[:n]


_SCALES = {3: 1000.0, 4: 10000.0}


def rounded(weight: float, digits: int) -> float:
    """round(weight, digits), to the same bit, without round()'s trip through a decimal string.

    round() takes the whole number nearest to the exact weight x 10**digits (halves to even)
    and reads it back divided by 10**digits. For weights between 0 and 1000 the scaled float
    is within 1e-9 of that exact product, so its nearest whole number is the same unless it
    lies within 1e-7 of a half: those, and any other weight, go to round() itself. Dividing
    a whole number by 10**digits rounds once, as round() reading its decimal result does.
    """
    scale = _SCALES.get(digits)
    if scale is None or not 0.0 < weight < 1000.0:
        return round(weight, digits)
    scaled = weight * scale
    whole = math.floor(scaled)
    fraction = scaled - whole
    if 0.4999999 < fraction < 0.5000001:
        return round(weight, digits)
    return (whole + 1 if fraction > 0.5 else whole) / scale


def top_weights(weights: dict[str, float], n: int, digits: int = 3) -> dict[str, float]:
    return {term: rounded(-weight, digits) for weight, term in heaviest(weights, n)}


class _Damping(dict[float, float]):
    """1 + ln(tf), remembered: term frequencies are a few small whole numbers, over and over."""

    def __missing__(self, tf: float) -> float:
        damped = self[tf] = 1 + math.log(tf)
        return damped


_DAMPING = _Damping()


def _weighted(tf: dict[str, float], idf: dict[str, float]) -> dict[str, float]:
    damping = _DAMPING
    return {term: damping[n] * idf[term] for term, n in tf.items()}


@dataclass(slots=True)
class _Weights:
    """Term frequencies of an article, lead words counted LEAD_WEIGHT times."""

    tf: dict[str, float]
    name_tf: dict[str, float]
    idf: dict[str, float]
    """The largest background IDF among each term's spellings."""
    months: list[str]
    """The month names the text writes (each spelling once)."""


def _weigh(scan: _Scan, outlet: frozenset[str]) -> _Weights:
    """Term frequencies and IDFs, worked out once per distinct spelling, not per token."""
    tf: dict[str, float] = {}
    idf: dict[str, float] = {}
    months: list[str] = []
    edges = Counter(scan.edge)
    lead = Counter(scan.words[:LEAD_WORDS])
    # A spelling whose term or name weight depends on which words are names waits for them.
    waiting: list[tuple[float, _Spelling]] = []
    # Lower-case forms the text treats as names. A word capitalised inside a sentence (off
    # title-case lines) is a name. One capitalised only where every word may be (sentence
    # starts, headlines) counts when the text never writes it in lower case and English
    # seldom uses it, so 'Qeshm' in a headline is a name and 'Thankfully' at a sentence start
    # is not. Only counted words are looked at: names serve only to weigh them.
    inside: set[str] = set()
    rare_edge: set[str] = set()
    lower_case: set[str] = set()
    for text, n in Counter(scan.words).items():
        spelling = _spelling(text)
        lower, month, capital, folded, word_idf, common = spelling
        if month:
            months.append(text)
        if folded is None or lower in outlet:
            continue
        # The lead's weight per token, summed per spelling: whole numbers, so the sums are
        # the same as token by token, in any order.
        weight = n + (LEAD_WEIGHT - 1) * lead.get(text, 0)
        if capital:
            at_edge = edges.get(text, 0)
            if at_edge and not common:
                rare_edge.add(lower)
            if n > at_edge:
                inside.add(lower)
            waiting.append((weight, spelling))
        elif folded != lower:
            lower_case.add(lower)
            waiting.append((weight, spelling))  # a name keeps its s, a plural folds
        else:
            lower_case.add(lower)
            if lower in tf:
                tf[lower] += weight
                idf[lower] = max(idf[lower], word_idf)
            else:
                tf[lower], idf[lower] = weight, word_idf
    names = inside | (rare_edge - lower_case)
    return _Weights(tf, _settle(waiting, names, tf, idf), idf, months)


def _settle(
    waiting: list[tuple[float, _Spelling]],
    names: set[str],
    tf: dict[str, float],
    idf: dict[str, float],
) -> dict[str, float]:
    """Add the spellings that waited for the names to `tf` and `idf`; the names' weights."""
    name_tf: dict[str, float] = {}
    for weight, (lower, _, capital, folded, word_idf, _) in waiting:
        if lower in names:
            term = lower  # names keep their s: Abbas is not the plural of ABBA
            if capital:
                name_tf[term] = name_tf.get(term, 0.0) + weight
        else:
            term = folded  # type: ignore[assignment]  # counted words have a term
        if term in tf:
            tf[term] += weight
            idf[term] = max(idf[term], word_idf)
        else:
            tf[term], idf[term] = weight, word_idf
    return name_tf


def _numbers(others: list[tuple[str, int]]) -> tuple[list[str], dict[str, int], list[str]]:
    """Numbers (most frequent first), years with their counts, and the lead's years."""
    numbers: Counter[str] = Counter()
    years: Counter[str] = Counter()
    lead_years: Counter[str] = Counter()
    for text, position in others:
        in_lead = position < LEAD_WORDS
        if _is_year(text):
            years[text] += 2 if in_lead else 1
            if in_lead:
                lead_years[text] += 1
        elif len(text) >= 2 and not text.startswith("0"):
            # One-digit counts are everywhere; '08' and '09' are clock times and dates.
            numbers[text.replace(",", "")] += 1
    return (
        [n for n, _ in numbers.most_common(MAX_NUMBERS)],
        dict(years.most_common(MAX_YEARS)),
        [y for y, _ in lead_years.most_common(MAX_LEAD_YEARS)],
    )


def story_features(article: Article) -> StoryFeatures:
    """The compact features the story stage compares, from one article's title and body."""
    scan = _scan(article)
    weights = _weigh(scan, _outlet(article.source))
    numbers, years, lead_years = _numbers(scan.others)
    months = sorted(i for text in weights.months for i in _indices(scan.words, text))
    return StoryFeatures(
        terms=top_weights(_weighted(weights.tf, weights.idf), MAX_TERMS),
        entities=top_weights(_weighted(weights.name_tf, weights.idf), MAX_NAMES),
        numbers=numbers,
        years=years,
        lead_years=lead_years,
        dates=_dates(scan, months) if months and scan.others else [],
        published=article.published_at.timestamp() if article.published_at else None,
    )


def _indices(items: list[str], item: str) -> list[int]:
    """Every index of `item` in `items` (list.index scans in C)."""
    found: list[int] = []
    i = -1
    try:
        while True:
            i = items.index(item, i + 1)
            found.append(i)
    except ValueError:
        return found
