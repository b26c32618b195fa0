"""Event dates: the day a sentence says something happened, resolved against the article's."""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import lru_cache

from streams.calendar import MONTHS, WEEKDAYS
from streams.extraction.caseless import Caseless, fold

_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
# Matched case-insensitively, as every pattern below; the longest spelling first ("sept"
# before "sep"), as an alternation takes the first that fits.
_MONTH = rf"(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})\.?"
# One case-insensitive alternation behind one word boundary: much cheaper than many patterns.
_EXPRESSIONS = Caseless(
    r"\b(?:"
    + "|".join(
        (
            r"(?P<iso>(?P<year>(?:19|20)\d\d)-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)\b)",
            rf"(?P<md>(?P<md_month>{_MONTH})\s+(?P<md_day>[0-3]?\d)(?:st|nd|rd|th)?\b"
            r"(?:,?\s+(?P<md_year>(?:19|20)\d\d)\b)?)",
            rf"(?P<dm>(?P<dm_day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<dm_month>{_MONTH})\b"
            r"(?:,?\s+(?P<dm_year>(?:19|20)\d\d)\b)?)",
            r"(?P<before_yesterday>the\s+day\s+before\s+yesterday\b)",
            r"(?P<today>(?:today|tonight|this\s+(?:morning|afternoon|evening))\b)",
            r"(?P<yesterday>(?:yesterday|last\s+night)\b)",
            r"(?P<ago>(?P<ago_n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+)"
            r"\s+(?P<ago_unit>days?|weeks?)\s+ago\b)",
            r"(?P<weekday>(?P<wd_rel>(?:last|this\s+past|next|this|on)\s+)?"
            rf"(?P<wd>{'|'.join(WEEKDAYS)})\b)",
            r"(?P<vague>(?:earlier|later)\s+(?:this|last)\s+(?:week|month|year)\b)",
            r"(?P<last_week>(?:last|past|previous)\s+week\b)",
            r"(?P<last_month>(?:last|previous)\s+month\b)",
            r"(?P<span_year>(?:last|this|previous)\s+year\b)",
            rf"(?P<in_month>(?:in|last|since|during|early|late|mid-?)\s+(?:(?:early|late|mid-?)\s*)?"
            rf"(?P<im_month>{_MONTH})(?!\w)(?!\s+[0-3]?\d\b)(?:\s+(?P<im_year>(?:19|20)\d\d)\b)?)",
            r"(?P<in_year>(?:in|since|during)\s+(?P<iy>(?:19|20)\d\d)\b)",
        )
    )
    + ")"
)
_MONTH_GROUPS = ("md_month", "dm_month", "im_month")
# Every expression holds one of these words, preceded by at most three others ("the day before
# yesterday"): the full pattern is tried only at those word starts, not at every position.
_KEYS = Caseless(
    r"\d+|\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun|to|yester)day|tonight|ago|week|month|"
    r"year|night|morning|afternoon|evening|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
)
_WORD_START = re.compile(r"\b\w")


@lru_cache(maxsize=512)  # one sentence is dated once per event it reports
def _expressions(sentence: str) -> tuple[re.Match[str], ...]:
    found: list[re.Match[str]] = []
    done = 0
    text, expressions = fold(sentence), _EXPRESSIONS.over(sentence)
    for key in _KEYS.over(sentence).finditer(text):
        if key.start() < done:
            continue
        starts = [
            w.start()
            for w in _WORD_START.finditer(sentence, max(done, key.start() - 30), key.start())
        ]
        for pos in [*starts[-3:], key.start()]:
            m = expressions.match(text, pos)
            if m is not None and m.end() > key.start():
                found.append(m)
                done = m.end()
                break
    return tuple(found)


_FUTURE = Caseless(
    r"\b(?:will|shall|would|to\s+be|is\s+due|are\s+due|plans?\s+to|planned|scheduled|set\s+to|"
    r"expected\s+to|is\s+to|are\s+to)\b[^.;]*$"
)
# A date just after a verb of saying dates the report, not the event ("..., officials said
# Thursday"): it is used only when nothing else dates the sentence.
_SAID = Caseless(r"\b(?:said|says|told|reported|announced|added|stated|confirmed)\s+(?:\w+\s+)?$")


# Whether, when the article was published, the next calendar day had begun somewhere (its UTC
# time is late enough): then a weekday one day after its UTC date is that day, not last week's.
_AHEAD: ContextVar[bool] = ContextVar("ahead", default=False)


def published_late(published: datetime | None) -> bool:
    """The next calendar day had begun in East Asia (UTC+9) when the article was published."""
    return published is not None and published.hour >= 15


def _month_day(published: date | None, month: int, day: int, year: str | None) -> date | None:
    try:
        if year:
            return date(int(year), month, day)
        if published is None:
            return None
        when = date(published.year, month, day)
        # the most recent such day not after the article (a date ahead is last year's)
        return when if when <= published else date(published.year - 1, month, day)
    except ValueError:
        return None  # "February 30"


def _weekday(m: re.Match[str], sentence: str, published: date) -> date:
    target = WEEKDAYS.index(m["wd"].lower())
    back = (published.weekday() - target) % 7
    rel = (m["wd_rel"] or "").strip().lower()
    if back == 6 and rel != "last" and _AHEAD.get():
        return published + timedelta(days=1)  # already that day where it happened
    ahead = rel == "next" or (
        rel != "last" and _FUTURE.search(sentence, max(0, m.start() - 80), m.start()) is not None
    )
    if ahead:
        return published + timedelta(days=(target - published.weekday()) % 7 or 7)
    if rel == "last" and back == 0:
        back = 7
    return published - timedelta(days=back)


def _resolve(m: re.Match[str], sentence: str, published: date | None) -> date | None:
    kind = m.lastgroup
    if kind == "iso":
        try:
            return date(int(m["year"]), int(m["iso_m"]), int(m["iso_d"]))
        except ValueError:
            return None
    if kind in ("md", "dm"):
        month = MONTHS[m[f"{kind}_month"].lower().rstrip(".")]
        return _month_day(published, month, int(m[f"{kind}_day"]), m[f"{kind}_year"])
    if published is None or kind in ("vague", "span_year", "in_year"):
        return None
    return _relative(m, sentence, published)


def _relative(m: re.Match[str], sentence: str, published: date) -> date | None:
    kind = m.lastgroup
    if kind == "today":
        return published
    if kind == "yesterday":
        return published - timedelta(days=1)
    if kind == "before_yesterday":
        return published - timedelta(days=2)
    if kind == "ago":
        n = m["ago_n"].lower()
        count = int(n) if n.isdigit() else _NUMBERS[n]
        return published - timedelta(days=count * (7 if m["ago_unit"].lower()[0] == "w" else 1))
    if kind == "weekday":
        return _weekday(m, sentence, published)
    if kind == "last_week":  # the Monday of the week before the article's
        return published - timedelta(days=published.weekday() + 7)
    if kind == "last_month":  # the first day of the month before
        return (published.replace(day=1) - timedelta(days=1)).replace(day=1)
    if kind == "in_month":
        month = MONTHS[m["im_month"].lower().rstrip(".")]
        year = int(m["im_year"]) if m["im_year"] else None
        if year is None:  # the most recent such month not after the article
            year = published.year if month <= published.month else published.year - 1
        return date(year, month, 1)
    return None


def _nearest(sentence: str, trigger_start: int, published: date | None) -> re.Match[str] | None:
    """The date expression nearest the trigger, one after a verb of saying only as a last
    resort (it dates the report, not the event)."""
    best: tuple[int, re.Match[str]] | None = None
    for m in _expressions(sentence):
        # (read in the sentence itself: the groups of a Caseless match are lower-cased)
        if any(m[g] and sentence.startswith(("may", "MAY"), m.start(g)) for g in _MONTH_GROUPS):
            continue  # "may" the verb, not May the month, which is written with a capital
        if m.lastgroup == "in_year" and published is not None and int(m["iy"]) >= published.year:
            continue  # "in 2026" in a 2026 article dates nothing
        distance = min(abs(m.start() - trigger_start), abs(m.end() - trigger_start))
        if _SAID.search(sentence, max(0, m.start() - 25), m.start()):
            distance += 10_000
        if best is None or distance < best[0]:
            best = (distance, m)
    return best[1] if best else None


def event_date(
    sentence: str, trigger_start: int, published: date | None, *, late: bool = False
) -> date | None:
    """The day the event happened: the date expression nearest the trigger, resolved back from
    the publication date ("on Thursday" is the latest Thursday not after it); the publication
    date when the sentence names none. `late`: the article was published when the next day
    had begun in some time zone (see `published_late`), so "on <tomorrow's weekday>" is that day.

    Conventions: "last week" is that week's Monday, "last month" and "in August" the month's
    first day; "earlier this year", "last year" and a bare year give None (no day can be
    claimed); a weekday in a future clause ("will meet on Thursday") or after "next" is the
    coming one; an explicit date without a year is the latest such day not after publication.
    """
    m = _nearest(sentence, trigger_start, published)
    if m is None:
        return published
    token = _AHEAD.set(late)
    try:
        return _resolve(m, sentence, published)
    finally:
        _AHEAD.reset(token)


def dating(
    sentence: str, trigger_start: int, published: date | None
) -> tuple[str, int, int] | None:
    """(kind, start, end) of the date expression that dates the trigger ("weekday", "md",
    "ago" ...), or None when the sentence names no time."""
    m = _nearest(sentence, trigger_start, published)
    return (m.lastgroup or "", m.start(), m.end()) if m is not None else None


def dated_before(sentence: str, published: date | None, days: int, *, late: bool = False) -> bool:
    """Whether the sentence's dates put it before the `days` days up to publication: some
    expression names an earlier day or an earlier period (a year before, "last month",
    "earlier this year"), and none names a day within those days."""
    if published is None:
        return False
    earliest_news = published - timedelta(days=days)
    earlier = False
    token = _AHEAD.set(late)
    try:
        for m in _expressions(sentence):
            if any(m[g] and sentence.startswith(("may", "MAY"), m.start(g)) for g in _MONTH_GROUPS):
                continue
            kind = m.lastgroup
            if kind == "weekday":
                return False  # the news of the week the article tells
            if kind == "in_year":
                earlier = earlier or int(m["iy"]) < published.year
                continue
            if kind == "span_year":
                earlier = earlier or not m.group().lower().startswith("this")
                continue
            if kind == "vague":
                words = m.group().lower().split()
                earlier = earlier or (words[0] == "earlier" and words[-1] in ("month", "year"))
                earlier = earlier or words[1] == "last"
                continue
            when = _resolve(m, sentence, published)
            if when is None:
                continue
            if kind == "in_month" and when.year == published.year and when.month == published.month:
                return False  # "in November" in a November article: maybe this week
            if when >= earliest_news:
                return False
            earlier = True
    finally:
        _AHEAD.reset(token)
    return earlier
