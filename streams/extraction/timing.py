"""Whether a mention reports the article's news or something that happened before it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from streams.extraction.dates import dated_before

# An article reports as news what happened on its day or in the three days before it
# (../shared/datasets/geo-dev/README.md, convention 1); anything older it recalls is history.
NEWS_DAYS = 3
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# Words that tell the reader a sentence looks back ("the attack came a year after ...").
_LOOKING_BACK = re.compile(
    r"\b(?:years?|months?|decades?) (?:ago|earlier|before|after|since|later)\b|"
    r"\b(?:a|one|two|three|four|five|ten) years? (?:since|after|on)\b|"
    r"\banniversary\b|\bin the past\b|\bpreviously\b|\bthe last time\b|\bat the time\b|"
    r"\bback then\b",
    re.IGNORECASE,
)
# Titles of pieces that look back as a whole: an anniversary, a retrospective.
RETROSPECTIVE = re.compile(
    r"\b(?:a|one|two|three|five|ten|\d+) (?:years?|months?) (?:on|since|after|later)\b|"
    r"\banniversary\b|\blooking back\b|\bremember(?:ing|s)?\b|\byears? after\b|"
    r"\bmonths? after\b|\bwhat (?:became|happened)\b|\blegacy\b",
    re.IGNORECASE,
)


def before_news(event: date | None, published: date | None) -> bool:
    """A day more than NEWS_DAYS before the article's."""
    return (
        event is not None
        and published is not None
        and event < published - timedelta(days=NEWS_DAYS)
    )


def historical(
    clause: str,
    at: int,
    event: date | None,
    published: date | None,
    year_modifier: int | None = None,
    *,
    late: bool = False,
    weekday: bool = False,
) -> bool:
    """Whether the act at character `at` happened before the article's news: dated to an
    earlier day or period, or its noun dated by an earlier year ("the 2017 test"), or told as
    looking back. `clause` is the sentence with everything outside the act's own clause
    blanked, so that "a year after a similar strike" dates the strike, not the act. A bare
    weekday ("on Thursday") dates the news of the week the article tells, never history."""
    if before_news(event, published) and not weekday:
        return True
    if dated_before(clause, published, NEWS_DAYS, late=late):
        return True
    if year_modifier is not None and published is not None and year_modifier < published.year:
        return True
    return bool(_LOOKING_BACK.search(clause))


def earlier_year_named(sentence: str, published: date | None) -> bool:
    """A year before the article's is named anywhere in the sentence."""
    if published is None:
        return False
    return any(int(y) < published.year for y in _YEAR.findall(sentence))
