"""Unit tests of telling an article's news from the history it recalls."""

from __future__ import annotations

from datetime import date

import pytest

from streams.extraction.dates import dated_before, event_date
from streams.extraction.timing import before_news, earlier_year_named, historical

THURSDAY = date(2026, 11, 12)


@pytest.mark.parametrize(
    ("clause", "past"),
    [
        ("Russia struck Kharkiv on Monday.", False),
        ("Russia struck Kharkiv yesterday.", False),
        ("Russia struck Kharkiv on Nov. 2.", True),
        ("Russia struck Kharkiv last month.", True),
        ("North Korea conducted a nuclear test in 2017.", True),
        ("North Korea launched an ICBM five years ago.", True),
        ("In August this year, gunmen besieged the hotel.", True),
        ("Russia invaded earlier this year.", True),
        ("Russia struck Kharkiv earlier this week.", False),
        ("The summit marks the anniversary of the treaty.", True),
    ],
)
def test_dated_clauses(clause: str, past: bool) -> None:
    when = event_date(clause, 7, THURSDAY)
    assert historical(clause, 7, when, THURSDAY) is past


def test_a_weekday_is_this_weeks_news_whatever_its_distance() -> None:
    # "on Friday" in a Thursday article is six days back, yet reported as this week's news
    when = event_date("North Korea fired an ICBM on Friday.", 12, THURSDAY)
    assert when == date(2026, 11, 6) and before_news(when, THURSDAY)
    assert not historical("North Korea fired an ICBM on Friday.", 12, when, THURSDAY, weekday=True)
    assert not dated_before("North Korea fired an ICBM on Friday.", THURSDAY, 3)


def test_a_year_before_the_noun_dates_it() -> None:
    assert historical("The test was the sixth.", 4, THURSDAY, THURSDAY, year_modifier=2017)
    assert not historical("The test was the sixth.", 4, THURSDAY, THURSDAY, year_modifier=2026)


def test_a_late_article_may_name_tomorrows_weekday() -> None:
    # published late on Tuesday UTC: in East Asia it is already Wednesday
    tuesday = date(2026, 11, 10)
    assert event_date("It fired a missile on Wednesday.", 3, tuesday, late=True) == date(
        2026, 11, 11
    )
    assert event_date("It fired a missile on Wednesday.", 3, tuesday) == date(2026, 11, 4)


def test_an_earlier_year_anywhere() -> None:
    assert earlier_year_named("The 2017 test remains the largest.", THURSDAY)
    assert not earlier_year_named("The 2026 budget passed.", THURSDAY)
    assert not earlier_year_named("The 2017 test remains the largest.", None)
