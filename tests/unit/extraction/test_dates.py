"""Event dates resolved against the article's date, from sentences the tests write."""

from __future__ import annotations

from datetime import date

import pytest

from streams.extraction.dates import event_date

THURSDAY = date(2024, 2, 8)


def when(
    sentence: str, published: date | None = THURSDAY, trigger: str | None = None
) -> date | None:
    start = sentence.index(trigger) if trigger else 0
    return event_date(sentence, start, published)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("North Korea fired a missile on Thursday.", date(2024, 2, 8)),  # the article's own day
        ("It fired a missile on Monday.", date(2024, 2, 5)),
        ("It fired a missile Friday.", date(2024, 2, 2)),  # not after the article
        ("It fired a missile last Thursday.", date(2024, 2, 1)),
        ("The talks will resume on Monday.", date(2024, 2, 12)),  # a future clause
        ("They meet next Friday.", date(2024, 2, 9)),
        ("The strike happened yesterday.", date(2024, 2, 7)),
        ("Troops arrived today.", date(2024, 2, 8)),
        ("It happened the day before yesterday.", date(2024, 2, 6)),
        ("They met two days ago.", date(2024, 2, 6)),
        ("Clashes erupted last week.", date(2024, 1, 29)),  # Monday of the week before
        ("Sanctions were imposed last month.", date(2024, 1, 1)),
        ("The deal was signed in August.", date(2023, 8, 1)),  # latest August not after
        ("The deal was signed in January.", date(2024, 1, 1)),
        ("The deal was signed on Aug. 3.", date(2023, 8, 3)),
        ("The deal was signed August 3, 2022.", date(2022, 8, 3)),
        ("The deal was signed on 3 February.", date(2024, 2, 3)),
        ("The deal was signed on February 3rd.", date(2024, 2, 3)),
        ("It happened on 2023-11-05.", date(2023, 11, 5)),
        ("North Korea fired missiles.", date(2024, 2, 8)),  # nothing named: the article's date
        ("They may fire again.", date(2024, 2, 8)),  # "may" the verb is not May
    ],
)
def test_event_date(sentence: str, expected: date) -> None:
    assert when(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Earlier this year, it fired missiles.",
        "It fired missiles last year.",
        "The plane exploded in 1988.",
    ],
)
def test_vague_or_past_years_give_no_day(sentence: str) -> None:
    assert when(sentence) is None


def test_the_date_nearest_the_trigger_wins_and_the_report_date_comes_last() -> None:
    sentence = "The missile was fired Tuesday, officials said Wednesday."
    assert when(sentence, trigger="fired") == date(2024, 2, 6)
    assert when("The missile was fired, officials said on Monday.", trigger="fired") == date(
        2024, 2, 5
    )


def test_without_a_publication_date_only_explicit_years_resolve() -> None:
    assert when("It fired on Thursday.", published=None) is None
    assert when("It was signed August 3, 2022.", published=None) == date(2022, 8, 3)
